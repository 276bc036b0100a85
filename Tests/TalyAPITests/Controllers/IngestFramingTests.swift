#if canImport(Glibc)
    import Foundation
    import Hummingbird
    import HummingbirdTesting
    import TalyStore
    import TalyTestSupport
    import Testing

    @testable import TalyAPI

    /// `POST /v1/ingest` over real HTTP/1.1 framing, byte for byte on a loopback socket:
    /// `Expect: 100-continue` and chunked bodies, which the router client cannot express.
    @Suite("bulk ingest: Expect 100-continue and chunked bodies on the wire")
    struct IngestFramingTests {
        /// Long enough for a loaded machine; a missing 100 shows as nil, not as a hang.
        static let patience = Duration.seconds(120)

        enum Framing: String, CaseIterable, Sendable {
            case contentLength, chunked
        }

        static func head(
            token: String?, query: String = "?collection=products", framing: Framing, length: Int,
            expect: String? = nil, contentType: String = "application/x-ndjson"
        ) -> String {
            var text = "POST /v1/ingest\(query) HTTP/1.1\r\nHost: localhost\r\nContent-Type: \(contentType)\r\n"
            if let token { text += "Authorization: Bearer \(token)\r\n" }
            switch framing {
            case .contentLength: text += "Content-Length: \(length)\r\n"
            case .chunked: text += "Transfer-Encoding: chunked\r\n"
            }
            if let expect { text += "Expect: \(expect)\r\n" }
            return text + "\r\n"
        }

        /// `body` as the framing sends it; chunks of random sizes, so lines straddle chunks.
        static func encode(_ body: [UInt8], _ framing: Framing, using random: inout SplitMix64) -> [UInt8] {
            switch framing {
            case .contentLength: return body
            case .chunked:
                let sizes = (0..<body.count / 8 + 1).map { _ in Int.random(in: 1...600, using: &random) }
                return chunkedEncoding(body, sizes: sizes)
            }
        }

        static func product(_ index: Int) -> [UInt8] {
            Array(#"{"sku":"W-\#(index)","title":"T\#(index)","price":{"amount":\#(index),"currency":"EUR"}}"#.utf8)
        }

        static func check(_ response: RawResponse?, _ expected: [ExpectedLine], scope: any TenantStore) throws {
            let response = try #require(response)
            try IngestRouteTests.check(
                status: HTTPResponse.Status(code: response.status), body: ByteBuffer(bytes: response.body), expected,
                keyName: "sku"
            ) { try scope.product(sku: $0)?.id?.rawValue }
        }

        @Test(
            "Expect: 100-continue gets 100 before any body byte is sent, then the answer", arguments: Framing.allCases)
        func continueThenAnswer(framing: Framing) async throws {
            let seed = SplitMix64.testSeed()
            print("IngestFramingTests.continueThenAnswer(\(framing)) seed: \(seed)")
            var random = SplitMix64(seed: seed)
            let harness = try APIHarness()
            let acme = try harness.tenant("acme")
            let lines = IngestRouteTests.randomProductLines(300, using: &random)
            var stored: [String: IngestRouteTests.ProductValues] = [:]
            let expected = IngestRouteTests.expectedProducts(lines, stored: &stored)
            let body = IngestRouteTests.body(lines.map(\.bytes))
            let encoded = Self.encode(body, framing, using: &random)
            try await harness.application().test(.live) { client in
                let connection = try RawHTTPConnection(port: try #require(client.port))
                try await connection.send(
                    Self.head(
                        token: acme.bootstrap.apiKey, framing: framing, length: body.count, expect: "100-continue"))
                let interim = try await connection.response(within: Self.patience)
                #expect(interim?.status == 100, "\(interim.map(String.init(describing:)) ?? "no answer")")
                #expect(try acme.scope.products(limit: 10).isEmpty, "nothing written before the body")
                try await connection.send(encoded)
                try Self.check(try await connection.response(within: Self.patience), expected, scope: acme.scope)
            }
        }

        @Test(
            "a request refused on its headers gets its final status with Expect, never a 100, and the connection ends")
        func refusedWithoutContinue() async throws {
            var settings = APIHarness.testGateway
            settings.maxIngestBodyBytes = 4096
            let harness = try APIHarness(gateway: settings)
            let acme = try harness.tenant("acme")
            let reader = try acme.scope.createAPIKey(
                name: "reader", scopes: [.catalogRead], expiresAt: nil, by: .system
            ).key
            let key = acme.bootstrap.apiKey
            let cases: [(name: String, head: String, status: Int, kind: String)] = [
                (
                    "no such key",
                    Self.head(token: "taly_nope", framing: .contentLength, length: 80, expect: "100-continue"),
                    401, "unauthenticated"
                ),
                (
                    "no credential", Self.head(token: nil, framing: .chunked, length: 0, expect: "100-continue"),
                    401, "unauthenticated"
                ),
                (
                    "read-only key",
                    Self.head(token: reader, framing: .contentLength, length: 80, expect: "100-continue"),
                    403, "forbidden"
                ),
                (
                    "over the limit",
                    Self.head(token: key, framing: .contentLength, length: 4097, expect: "100-continue"),
                    413, "payload-too-large"
                ),
                (
                    "JSON body",
                    Self.head(
                        token: key, framing: .chunked, length: 0, expect: "100-continue",
                        contentType: "application/json"),
                    415, "unsupported-media-type"
                ),
                (
                    "no collection",
                    Self.head(
                        token: key, query: "?mode=upsert", framing: .contentLength, length: 80, expect: "100-continue"),
                    422, "validation"
                ),
            ]
            try await harness.application().test(.live) { client in
                let port = try #require(client.port)
                for refused in cases {
                    let connection = try RawHTTPConnection(port: port)
                    try await connection.send(refused.head)
                    let answer = try #require(try await connection.response(within: Self.patience), "\(refused.name)")
                    #expect(answer.status == refused.status, "\(refused.name): \(answer)")
                    #expect(
                        (answer.object["type"] as? String)?.hasSuffix("/\(refused.kind)") == true, "\(refused.name)")
                    #expect(answer.header("connection") == "close", "\(refused.name)")
                    #expect(try await connection.closes(within: Self.patience), "\(refused.name)")
                }
                // An expectation other than 100-continue: 417, and the body is read as usual.
                let line = Self.product(1) + [0x0A]
                let connection = try RawHTTPConnection(port: port)
                try await connection.send(
                    Array(Self.head(token: key, framing: .contentLength, length: line.count, expect: "fast-lane").utf8)
                        + line)
                let answer = try #require(try await connection.response(within: Self.patience))
                #expect(answer.status == 417, "\(answer)")
                #expect((answer.object["type"] as? String)?.hasSuffix("/expectation-failed") == true)
            }
            #expect(try acme.scope.products(limit: 10).isEmpty)
        }

        @Test("chunked bodies cut anywhere get one result per line, as Content-Length bodies do")
        func chunked() async throws {
            let seed = SplitMix64.testSeed()
            print("IngestFramingTests.chunked seed: \(seed)")
            var random = SplitMix64(seed: seed)
            let harness = try APIHarness()
            let acme = try harness.tenant("acme")
            var stored: [String: IngestRouteTests.ProductValues] = [:]
            let rounds = (0..<3).map { _ in
                let lines = IngestRouteTests.randomProductLines(Int.random(in: 1...400, using: &random), using: &random)
                let expected = IngestRouteTests.expectedProducts(lines, stored: &stored)
                let body = IngestRouteTests.body(lines.map(\.bytes))
                return (expected, Self.encode(body, .chunked, using: &random))
            }
            try await harness.application().test(.live) { client in
                let connection = try RawHTTPConnection(port: try #require(client.port))
                // Three requests on one connection: the chunked framing leaves it usable.
                for (round, (expected, encoded)) in rounds.enumerated() {
                    try await connection.send(
                        Array(Self.head(token: acme.bootstrap.apiKey, framing: .chunked, length: 0).utf8) + encoded)
                    let answer = try await connection.response(within: Self.patience)
                    guard !expected.isEmpty else {
                        #expect(answer?.status == 400, "round \(round): blank lines only")
                        continue
                    }
                    try Self.check(answer, expected, scope: acme.scope)
                }
            }
        }

        /// Where the limit falls in the line it cuts.
        enum Cut: String, CaseIterable, Sendable {
            /// Inside the record's JSON: the line is rejected as cut.
            case insideRecord
            /// Just before the line's line feed: the record is whole and written.
            case beforeLineFeed
            /// Just after a line feed: no line is cut.
            case afterLineFeed
        }

        @Test(
            "a chunked body past the limit: 413 naming it, the lines before it written and listed",
            arguments: Cut.allCases)
        func chunkedOverLimit(cut: Cut) async throws {
            let seed = SplitMix64.testSeed()
            print("IngestFramingTests.chunkedOverLimit(\(cut)) seed: \(seed)")
            var random = SplitMix64(seed: seed)
            let lines = (0..<120).map(Self.product)
            let body = IngestRouteTests.body(lines)
            // The cut line, 1-based, and where the limit falls.
            let cutLine = Int.random(in: 10...60, using: &random)
            let lineStart = lines[..<(cutLine - 1)].map { $0.count + 1 }.reduce(0, +)
            let limit: Int
            switch cut {
            case .insideRecord: limit = lineStart + Int.random(in: 1..<lines[cutLine - 1].count, using: &random)
            case .beforeLineFeed: limit = lineStart + lines[cutLine - 1].count
            case .afterLineFeed: limit = lineStart + lines[cutLine - 1].count + 1
            }
            let expected =
                (1..<cutLine).map { ExpectedLine(line: $0, outcome: "created", key: "W-\($0 - 1)", field: nil) }
                + [
                    cut == .insideRecord
                        ? ExpectedLine(line: cutLine, outcome: "rejected", key: nil, field: "record")
                        : ExpectedLine(line: cutLine, outcome: "created", key: "W-\(cutLine - 1)", field: nil)
                ]
            var settings = APIHarness.testGateway
            settings.maxIngestBodyBytes = limit
            let harness = try APIHarness(gateway: settings)
            let acme = try harness.tenant("acme")
            let encoded = Self.encode(body, .chunked, using: &random)
            try await harness.application().test(.live) { client in
                let connection = try RawHTTPConnection(port: try #require(client.port))
                try await connection.send(
                    Array(Self.head(token: acme.bootstrap.apiKey, framing: .chunked, length: 0).utf8) + encoded)
                let answer = try #require(try await connection.response(within: Self.patience))
                #expect(answer.status == 413, "\(answer)")
                #expect((answer.object["type"] as? String)?.hasSuffix("/payload-too-large") == true)
                #expect((answer.object["detail"] as? String)?.contains("\(limit) bytes") == true, "\(answer)")
                #expect(answer.header("connection") == "close")
                let results = answer.object["results"] as? [[String: Any]] ?? []
                let got = results.map { result in
                    ExpectedLine(
                        line: result["line"] as? Int ?? -1, outcome: result["outcome"] as? String ?? "?",
                        key: result["sku"] as? String, field: result["field"] as? String)
                }
                #expect(got == expected)
                if cut == .insideRecord {
                    #expect((results.last?["reason"] as? String)?.contains("cut by the body limit of \(limit)") == true)
                }
                let summary = answer.object["summary"] as? [String: Any] ?? [:]
                #expect(summary["created"] as? Int == expected.filter { $0.outcome == "created" }.count)
                #expect(summary["rejected"] as? Int == expected.filter { $0.outcome == "rejected" }.count)
                #expect(try await connection.closes(within: Self.patience))
            }
            for line in expected {
                let product = try acme.scope.product(sku: "W-\(line.line - 1)")
                #expect((product != nil) == (line.outcome == "created"), "\(line)")
            }
            #expect(try acme.scope.product(sku: "W-\(cutLine)") == nil, "nothing after the cut")
            #expect(try acme.scope.products(limit: 200).count == expected.filter { $0.outcome == "created" }.count)
        }

        @Test(
            "malformed chunked framing gets one 400 malformed-body answer, and the connection ends",
            arguments: [
                "zz\r\n{}\r\n0\r\n\r\n",  // a size that is not hexadecimal
                "4\r\n{\"sku\":1}\r\n0\r\n\r\n",  // more data than the size said
            ])
        func malformedChunks(framing: String) async throws {
            let harness = try APIHarness()
            let acme = try harness.tenant("acme")
            try await harness.application().test(.live) { client in
                let connection = try RawHTTPConnection(port: try #require(client.port))
                let valid = chunkedEncoding(Self.product(1) + [0x0A], sizes: [])
                try await connection.send(
                    Array(Self.head(token: acme.bootstrap.apiKey, framing: .chunked, length: 0).utf8)
                        + valid.dropLast(5) + Array(framing.utf8))
                let answer = try #require(try await connection.response(within: Self.patience))
                #expect(answer.status == 400, "\(answer)")
                #expect((answer.object["type"] as? String)?.hasSuffix("/malformed-body") == true, "\(answer)")
                #expect((answer.object["detail"] as? String)?.contains("framing is invalid") == true, "\(answer)")
                #expect(answer.header("connection") == "close")
                #expect(try await connection.closes(within: Self.patience))
                #expect(try await connection.response(within: .zero) == nil, "one answer only")
            }
        }
    }
#endif
