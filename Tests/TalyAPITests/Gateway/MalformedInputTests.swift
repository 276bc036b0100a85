import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("malformed input never causes a 5xx")
struct MalformedInputTests {
    static let bodies: [[UInt8]] = [
        Array("{".utf8), Array("{\"a\":".utf8), Array("nul".utf8), Array("[]".utf8), Array("\"text\"".utf8),
        Array("42".utf8), Array("null".utf8), Array("{\"email\": 5, \"display_name\": [], \"scopes\": \"x\"}".utf8),
        Array("{\"tenant\": {}, \"email\": true, \"password\": 1.5}".utf8),
        Array("{\"add\": [1, null], \"remove\": {}}".utf8), Array("{\"expires_at\": 7, \"name\": null}".utf8),
        [0xFF, 0xFE, 0x7B, 0x7D], Array("{\"email\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8),
        Array(repeating: 0x7B, count: 10_000),
        Array("{\"name\":\"".utf8) + Array(repeating: 0x61, count: 5000) + [0x22, 0x7D],
        Array("{\"limit\": -1}".utf8), Array(String(repeating: "[", count: 600).utf8),
    ]

    @Test("broken JSON, wrong types, invalid UTF-8, oversized bodies and random query strings to every route")
    func everyRoute() async throws {
        var settings = APIHarness.testGateway
        settings.maxBodyBytes = 4096
        let harness = try APIHarness(gateway: settings)
        let acme = try harness.tenant("acme")
        let routes = buildRouter(resources: harness.resources).routes.map { ($0.method, $0.path.description) }
        let seed = SplitMix64.testSeed()
        print("MalformedInputTests seed: \(seed)")
        var random = SplitMix64(seed: seed)
        let queries = (0..<6).map { _ in Self.randomQuery(using: &random) }
        // Not the owner's id: disabling the owner would end the test's own credentials.
        let (victim, _) = try harness.user(in: acme, email: "victim@acme.example", role: .customer)
        let ids = ["0", "-5", "99999999999999999999", "abc", "%FF", String(victim.id!.rawValue)]
        try await harness.application().test(.router) { client in
            var token = try acme.scope.createSession(for: acme.bootstrap.owner.id!).token
            let mediaTypes = try await Self.documentedMediaTypes(client)
            for route in routes {
                // Each body is sent as the media type the route documents, so it reaches the parser.
                let contentType: HTTPFields = [.contentType: mediaTypes["\(route.0) \(route.1)"] ?? "application/json"]
                // Logout and password changes end sessions: renew so the rest is not all 401s.
                let endsSessions =
                    route.1.hasSuffix("logout") || route.1.hasSuffix("password")
                for id in ids {
                    let path = route.1.split(separator: "/").map { $0.hasPrefix("{") ? id : String($0) }
                        .joined(separator: "/")
                    for (index, query) in queries.enumerated() {
                        if endsSessions { token = try acme.scope.createSession(for: acme.bootstrap.owner.id!).token }
                        let credential = index % 3 == 0 ? nil : (index % 3 == 1 ? token : acme.bootstrap.apiKey)
                        let body = Self.bodies[(index + ids.firstIndex(of: id)!) % Self.bodies.count]
                        let uri = "/" + path + "?" + query
                        let response = try await client.call(
                            route.0, uri, token: credential, bytes: body, headers: contentType + [.ifMatch: "*"])
                        #expect(
                            response.status.code < 500, "\(route.0) \(uri): \(response.status) \(response.text)")
                    }
                    for body in Self.bodies {
                        if endsSessions { token = try acme.scope.createSession(for: acme.bootstrap.owner.id!).token }
                        let response = try await client.call(
                            route.0, "/" + path, token: token, bytes: body, headers: contentType)
                        #expect(
                            response.status.code < 500, "\(route.0) /\(path): \(response.status) \(response.text)")
                        if response.status.code >= 400 {
                            #expect(
                                response.headers[.contentType] == "application/problem+json", "\(route.0) /\(path)"
                            )
                        }
                    }
                }
            }
            // Bulk routes parse bodies only once a collection is named: every body as lines of one.
            for (route, media) in mediaTypes where media != "application/json" {
                let parts = route.split(separator: " ")
                for query in [
                    "collection=products", "collection=products&mode=insert", "collection=products&mode=replace",
                ] {
                    for body in Self.bodies {
                        let response = try await client.call(
                            HTTPRequest.Method(String(parts[0]))!, String(parts[1]) + "?" + query,
                            token: acme.bootstrap.apiKey, bytes: body, headers: [.contentType: media])
                        #expect(
                            [200, 207, 400].contains(response.status.code), "\(route)?\(query): \(response.text)")
                    }
                }
            }
            let oversized = try await client.call(
                .post, "/v1/auth/login", bytes: Array(repeating: 0x20, count: 10_000))
            #expect(oversized.status == .contentTooLarge)
        }
    }

    /// The request media type `/openapi.json` documents for each route with a body, by
    /// `METHOD /path`.
    static func documentedMediaTypes(_ client: some TestClientProtocol) async throws -> [String: String] {
        let document = try await client.call(.get, "/openapi.json").object
        var mediaTypes: [String: String] = [:]
        for (path, operations) in document["paths"] as? [String: [String: Any]] ?? [:] {
            for (method, operation) in operations {
                let body = (operation as? [String: Any])?["requestBody"] as? [String: Any]
                if let media = (body?["content"] as? [String: Any])?.keys.first {
                    mediaTypes["\(method.uppercased()) \(path)"] = media
                }
            }
        }
        return mediaTypes
    }

    /// `limit`, `cursor` and random names with random percent-encoded bytes.
    static func randomQuery(using random: inout SplitMix64) -> String {
        let names = ["limit", "cursor", "q", "x", "limit[]", ""]
        var parts: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let name = names[Int.random(in: 0..<names.count, using: &random)]
            var value = ""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                let byte = UInt8.random(in: 0...255, using: &random)
                if (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte) {
                    value.append(Character(UnicodeScalar(byte)))
                } else {
                    value += String(format: "%%%02X", byte)
                }
            }
            parts.append("\(name)=\(value)")
        }
        return parts.joined(separator: "&")
    }
}
