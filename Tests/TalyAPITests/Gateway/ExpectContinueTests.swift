#if canImport(Glibc)
    import Foundation
    import Hummingbird
    import HummingbirdTesting
    import TalyStore
    import TalyTestSupport
    import Testing

    @testable import TalyAPI

    /// `Expect` on every route, not only bulk ingest: the gateway and `ExpectContinueHandler`.
    @Suite("gateway: Expect 100-continue and chunked bodies on JSON routes")
    struct ExpectContinueTests {
        static let patience = Duration.seconds(120)

        static func head(_ path: String, token: String, extra: String) -> String {
            "POST \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: application/json\r\n\(extra)\r\n"
        }

        @Test(
            "a JSON route sends 100 when it reads the body, after its checks; a chunked JSON body over the limit is 413"
        )
        func jsonRoute() async throws {
            var settings = APIHarness.testGateway
            settings.maxBodyBytes = 256
            let harness = try APIHarness(gateway: settings)
            let acme = try harness.tenant("acme")
            let body = Array(#"{"email": "ann@acme.example", "display_name": "Ann"}"#.utf8)
            try await harness.application().test(.live) { client in
                let port = try #require(client.port)
                let connection = try RawHTTPConnection(port: port)
                try await connection.send(
                    Self.head(
                        "/v1/users", token: acme.ownerToken,
                        extra: "Content-Length: \(body.count)\r\nExpect: 100-continue\r\n"))
                let interim = try #require(try await connection.response(within: Self.patience))
                #expect(interim.status == 100, "\(interim)")
                try await connection.send(body)
                let created = try #require(try await connection.response(within: Self.patience))
                #expect(created.status == 201, "\(created)")
                #expect(try acme.scope.user(email: "ann@acme.example") != nil)

                // The same connection goes on; a refusal before the body is read ends it.
                try await connection.send(
                    Self.head(
                        "/v1/users", token: "taly_nope",
                        extra: "Content-Length: \(body.count)\r\nExpect: 100-continue\r\n"))
                let refused = try #require(try await connection.response(within: Self.patience))
                #expect(refused.status == 401, "\(refused)")
                #expect(refused.header("connection") == "close")
                #expect(try await connection.closes(within: Self.patience))

                let chunked = try RawHTTPConnection(port: port)
                let large = Array(("{\"email\": \"" + String(repeating: "a", count: 300) + "\"}").utf8)
                try await chunked.send(
                    Array(Self.head("/v1/users", token: acme.ownerToken, extra: "Transfer-Encoding: chunked\r\n").utf8)
                        + chunkedEncoding(large, sizes: [100, 100, 100]))
                let tooLarge = try #require(try await chunked.response(within: Self.patience))
                #expect(tooLarge.status == 413, "\(tooLarge)")
                #expect((tooLarge.object["type"] as? String)?.hasSuffix("/payload-too-large") == true)
            }
        }

        @Test("an expectation other than 100-continue is 417 expectation-failed on any route")
        func unsupportedExpectation() async throws {
            let harness = try APIHarness()
            let acme = try harness.tenant("acme")
            try await harness.application().test(.router) { client in
                for value in ["fast-lane", "100-continue, fast-lane", "200-ok"] {
                    let response = try await client.call(
                        .post, "/v1/users", token: acme.ownerToken, json: #"{"email": "x@acme.example"}"#,
                        headers: [.expect: value])
                    #expect(response.status == .expectationFailed, "\(value)")
                    #expect(response.problemKind == "expectation-failed")
                    #expect((response.object["detail"] as? String)?.contains(value) == true)
                }
                // Through the router client, which cannot wait for a 100, the body reads as usual.
                let created = try await client.call(
                    .post, "/v1/users", token: acme.ownerToken,
                    json: #"{"email": "bob@acme.example", "display_name": "Bob"}"#, headers: [.expect: "100-Continue"])
                #expect(created.status == .created, "\(created.text)")
            }
        }
    }
#endif
