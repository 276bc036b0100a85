import Foundation
import Hummingbird
import HummingbirdTesting
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("every route the router serves is in /openapi.json, and every documented route is served")
    func documentMatchesRouter() async throws {
        let harness = try APIHarness()
        let router = buildRouter(resources: harness.resources)
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        #expect(served.count > 10)
        try await harness.application().test(.router) { client in
            let response = try await client.call(.get, "/openapi.json")
            #expect(response.status == .ok)
            let document = response.object
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = document["paths"] as? [String: [String: Any]] ?? [:]
            var documented = Set<String>()
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            #expect(served.subtracting(documented).isEmpty, "undocumented: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "not served: \(documented.subtracting(served).sorted())")
        }
    }

    @Test("operations document their permission, problems and pagination")
    func operationDetails() async throws {
        let harness = try APIHarness()
        try await harness.application().test(.router) { client in
            let paths = try await client.call(.get, "/openapi.json").object["paths"] as? [String: [String: Any]] ?? [:]
            let list = paths["/v1/users"]?["get"] as? [String: Any] ?? [:]
            #expect(list["x-taly-permission"] as? String == "users.read")
            let names = (list["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("limit") && names.contains("cursor"))
            let patch = paths["/v1/users/{id}"]?["patch"] as? [String: Any] ?? [:]
            let responses = patch["responses"] as? [String: Any] ?? [:]
            #expect(responses["412"] != nil && responses["428"] != nil && responses["404"] != nil)
        }
    }
}
