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

        @Test("an HTTP/1.0 request's 100-continue is ignored: no 100, the body is read when it comes")
        func http10GetsNoContinue() async throws {
            let harness = try APIHarness()
            let acme = try harness.tenant("acme")
            let body = Array(#"{"email": "old@acme.example", "display_name": "Old"}"#.utf8)
            try await harness.application().test(.live) { client in
                let connection = try RawHTTPConnection(port: try #require(client.port))
                try await connection.send(
                    "POST /v1/users HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer \(acme.ownerToken)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
                        + "Expect: 100-continue\r\n\r\n")
                // The route reads the body at once; a 100 would be on its way before the body is sent.
                try await Task.sleep(for: .milliseconds(200))
                try await connection.send(body)
                let answer = try #require(try await connection.response(within: Self.patience))
                #expect(answer.status == 201, "\(answer)")
                #expect(try acme.scope.user(email: "old@acme.example") != nil)
            }
        }

        /// A server whose connections linger far longer than the test waits: only the byte limit
        /// or a new request can end them in time.
        static func lingeringApplication(_ harness: APIHarness) -> some ApplicationProtocol {
            Application(
                router: buildRouter(resources: harness.resources),
                server: .http1(
                    configuration: .init(additionalChannelHandlers: [
                        ExpectContinueHandler(lingerTime: .seconds(3600), lingerByteLimit: 64 << 10)
                    ])),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }

        /// Whether the server resets the connection while `bytes` more are sent in 16 KiB pieces:
        /// the output's FIN alone does not tell a lingering connection from a closed one, but
        /// bytes sent to a closed socket are refused.
        static func resets(_ connection: RawHTTPConnection, sending bytes: Int) async -> Bool {
            let piece = [UInt8](repeating: 0x20, count: 16 << 10)
            for _ in 0..<(bytes / piece.count) {
                do {
                    try await connection.send(piece)
                    try await Task.sleep(for: .milliseconds(5))
                } catch {
                    return true
                }
            }
            return false
        }

        @Test("a connection ended by its answer closes once the client sent more than the linger limit")
        func lingerByteLimit() async throws {
            let harness = try APIHarness()
            try await Self.lingeringApplication(harness).test(.live) { client in
                let connection = try RawHTTPConnection(port: try #require(client.port))
                try await connection.send(
                    Self.head(
                        "/v1/users", token: "taly_nope", extra: "Content-Length: 1000000\r\nExpect: 100-continue\r\n"))
                let refused = try #require(try await connection.response(within: Self.patience))
                #expect(refused.status == 401, "\(refused)")
                #expect(refused.header("connection") == "close")
                // The client sends its body anyway; past 64 KiB the server stops reading it
                // (within the stated length, so the HTTP decoder has no reason to end it).
                #expect(await Self.resets(connection, sending: 900_000))
            }
        }

        @Test("a request sent after a Connection: close answer is not handled and ends the connection")
        func requestAfterClose() async throws {
            let harness = try APIHarness()
            let acme = try harness.tenant("acme")
            let body = #"{"email": "late@acme.example", "display_name": "Late"}"#
            try await Self.lingeringApplication(harness).test(.live) { client in
                let connection = try RawHTTPConnection(port: try #require(client.port))
                try await connection.send(
                    Self.head("/v1/users", token: "taly_nope", extra: "Content-Length: 2\r\nExpect: 100-continue\r\n"))
                let refused = try #require(try await connection.response(within: Self.patience))
                #expect(refused.status == 401, "\(refused)")
                try await connection.send(
                    "{}"
                        + Self.head(
                            "/v1/users", token: acme.ownerToken, extra: "Content-Length: \(body.utf8.count)\r\n")
                        + body)
                #expect(await Self.resets(connection, sending: 900_000))
                #expect(try acme.scope.user(email: "late@acme.example") == nil)
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
