import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("gateway: request ids, problems, headers, bodies")
struct GatewayTests {
    @Test("an acceptable X-Request-ID is echoed; a bad one is replaced; none gets a generated one")
    func requestIDs() async throws {
        let harness = try APIHarness()
        try await harness.application().test(.router) { client in
            let echoed = try await client.call(.get, "/healthz", headers: [.xRequestID: "abc-123.x:y_z"])
            #expect(echoed.headers[.xRequestID] == "abc-123.x:y_z")
            let replaced = try await client.call(.get, "/healthz", headers: [.xRequestID: "bad id\u{7f}"])
            #expect(replaced.headers[.xRequestID]?.hasPrefix("req_") == true)
            let first = try await client.call(.get, "/healthz")
            let second = try await client.call(.get, "/healthz")
            #expect(first.headers[.xRequestID]?.count == 28)
            #expect(first.headers[.xRequestID] != second.headers[.xRequestID])
        }
        // Generated ids are `req_` and 24 lowercase hex digits, and acceptable when sent back.
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = GatewayMiddleware.generateRequestID()
            #expect(id.hasPrefix("req_") && id.utf8.count == 28, "\(id)")
            #expect(
                id.utf8.dropFirst(4).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(id)")
            #expect(GatewayMiddleware.acceptedRequestID(id) == id)
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }

    @Test("an unknown route is a 404 problem with a stable type, the request id and security headers")
    func notFoundProblem() async throws {
        let harness = try APIHarness()
        try await harness.application().test(.router) { client in
            let response = try await client.call(.get, "/v1/nothing-here", headers: [.xRequestID: "trace-1"])
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.object["type"] as? String == "https://taly.dev/problems/not-found")
            #expect(response.object["status"] as? Int == 404)
            #expect(response.object["request_id"] as? String == "trace-1")
            #expect(response.object["instance"] as? String == "/v1/nothing-here")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.headers[.xFrameOptions] == "DENY")
            #expect(response.headers[.cacheControl] == "no-store")
        }
    }

    @Test("bodies: oversized 413, empty/malformed/invalid UTF-8 400, wrong media type 415, wrong types 422")
    func bodies() async throws {
        var settings = APIHarness.testGateway
        settings.maxBodyBytes = 256
        let harness = try APIHarness(gateway: settings)
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            let big = "{\"email\":\"" + String(repeating: "a", count: 300) + "\"}"
            let oversized = try await client.call(.post, "/v1/users", token: acme.ownerToken, json: big)
            #expect(oversized.status == .contentTooLarge)
            #expect(oversized.problemKind == "payload-too-large")

            let empty = try await client.call(.post, "/v1/users", token: acme.ownerToken, json: "  ")
            #expect(empty.status == .badRequest)
            #expect((empty.object["detail"] as? String)?.contains("empty") == true)

            let broken = try await client.call(.post, "/v1/users", token: acme.ownerToken, json: "{\"email\": ")
            #expect(broken.status == .badRequest)
            #expect(broken.problemKind == "malformed-body")
            #expect((broken.object["detail"] as? String)?.contains("not valid JSON") == true)

            let invalidUTF8: [UInt8] = Array(#"{"email":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
            let encoding = try await client.call(.post, "/v1/users", token: acme.ownerToken, bytes: invalidUTF8)
            #expect(encoding.status == .badRequest)
            #expect(encoding.object["detail"] as? String == "the request body is not valid UTF-8 at byte 10")

            let form = try await client.call(
                .post, "/v1/users", token: acme.ownerToken, json: "a=b",
                headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)

            let wrongType = try await client.call(
                .post, "/v1/users", token: acme.ownerToken, json: #"{"email": 5, "display_name": "A"}"#)
            #expect(wrongType.status == .unprocessableContent)
            #expect(wrongType.invalidParamNames == ["email"])
            #expect((wrongType.object["invalid_params"] as? [[String: String]])?.first?["reason"] == "must be a string")

            let notObject = try await client.call(.post, "/v1/users", token: acme.ownerToken, json: "[1, 2]")
            #expect(notObject.status == .unprocessableContent)

            let missing = try await client.call(
                .post, "/v1/users", token: acme.ownerToken, json: #"{"email": "x@y.z"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.invalidParamNames == ["display_name"])
        }
    }

    @Test("validation lists every bad field at once")
    func everyBadField() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            let response = try await client.call(
                .post, "/v1/users", token: acme.ownerToken,
                json: #"{"email": "nope", "display_name": " ", "password": "short", "roles": ["editor", "wizard"]}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemKind == "validation")
            #expect(response.invalidParamNames == ["email", "display_name", "password", "roles[1]"])
        }
    }

    @Test("CORS: an allowed origin gets preflight and response headers; another origin does not")
    func cors() async throws {
        var settings = APIHarness.testGateway
        settings.corsAllowedOrigins = ["https://shop.example"]
        let harness = try APIHarness(gateway: settings)
        try await harness.application().test(.router) { client in
            let preflight = try await client.call(
                .options, "/v1/users",
                headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let simple = try await client.call(.get, "/healthz", headers: [.origin: "https://shop.example"])
            #expect(simple.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(simple.headers[.accessControlExposeHeaders]?.contains("X-Request-ID") == true)
            let other = try await client.call(.get, "/healthz", headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            let otherPreflight = try await client.call(
                .options, "/v1/users",
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(otherPreflight.status == .forbidden)
        }
    }

    @Test("/metrics counts requests per route pattern and status, with a latency histogram")
    func metrics() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            for _ in 0..<3 { try await client.call(.get, "/v1/users/\(acme.ownerID)", token: acme.ownerToken) }
            try await client.call(.get, "/v1/users/999999", token: acme.ownerToken)
            let text = try await client.call(.get, "/metrics").text
            #expect(text.contains(#"taly_http_requests_total{method="GET",route="/v1/users/{id}",status="200"} 3"#))
            #expect(text.contains(#"taly_http_requests_total{method="GET",route="/v1/users/{id}",status="404"} 1"#))
            #expect(text.contains(#"taly_http_request_duration_seconds_count{method="GET",route="/v1/users/{id}"} 4"#))
            #expect(
                text.contains(
                    #"taly_http_request_duration_seconds_bucket{method="GET",route="/v1/users/{id}",le="+Inf"} 4"#))
        }
    }

    @Test("metrics hooks render search latency and gauges in Prometheus format")
    func metricsHooks() {
        let metrics = MetricsRegistry()
        metrics.observeSearch(collection: "products", seconds: 0.0003)
        metrics.observeSearch(collection: "products", seconds: 2)
        metrics.setGauge(
            "taly_outbox_lag_events", help: "Events not yet applied.", labels: ["consumer": "index"], value: 7)
        let text = metrics.render()
        #expect(text.contains(#"taly_search_duration_seconds_bucket{collection="products",le="0.0005"} 1"#))
        #expect(text.contains(#"taly_search_duration_seconds_bucket{collection="products",le="2.5"} 2"#))
        #expect(text.contains(#"taly_search_duration_seconds_count{collection="products"} 2"#))
        #expect(text.contains("# TYPE taly_outbox_lag_events gauge\n"))
        #expect(text.contains(#"taly_outbox_lag_events{consumer="index"} 7.0"#))
    }

    @Test("label values are escaped (backslash, quote, line feed) and plain ones are kept as they are")
    func metricLabels() {
        let metrics = MetricsRegistry()
        metrics.recordRequest(method: "GET", route: "/v1/a\\b\"c\nd", status: 200, seconds: 0.001)
        metrics.recordRequest(method: "GET", route: "/v1/plain/{id}", status: 404, seconds: 0.001)
        let text = metrics.render()
        #expect(text.contains(#"{method="GET",route="/v1/a\\b\"c\nd",status="200"} 1"#))
        #expect(text.contains(#"{method="GET",route="/v1/plain/{id}",status="404"} 1"#))
        #expect(MetricsRegistry.labels(["b": "x\"y", "a": "1"]) == #"a="1",b="x\"y""#)
    }
}

@Suite("gateway helpers")
struct GatewayHelperTests {
    @Test("store errors map to their problem kinds, with JSON field names")
    func storeErrorMapping() {
        let cases: [(StoreError, ProblemKind)] = [
            (.invalid(field: "displayName", reason: "x"), .validation),
            (.notFound(entity: "user", key: "3"), .notFound),
            (.duplicate(entity: "user", field: "email"), .conflict),
            (.versionConflict(entity: "user", id: 1, expected: 1, actual: 2), .preconditionFailed),
            (.constraintViolation(reason: "x"), .conflict),
            (.authenticationFailed(.expired), .unauthenticated),
            (.databaseUnavailable(reason: "x"), .unavailable),
        ]
        for (error, kind) in cases { #expect(APIError.from(error)?.kind == kind, "\(error)") }
        #expect(
            APIError.from(StoreError.invalid(field: "displayName", reason: "x"))?.invalidParams.first?.name
                == "display_name")
        #expect(APIError.jsonName("fields.publishAt") == "fields.publishAt")
        #expect(APIError.jsonName("expiresAt") == "expires_at")
        #expect(APIError.from(StoreError.cannotOpen(path: "p", reason: "r")) == nil)
    }

    @Test("every problem kind has a distinct type URI")
    func distinctTypes() {
        #expect(Set(ProblemKind.allCases.map(\.typeURI)).count == ProblemKind.allCases.count)
    }

    @Test("cursors round-trip, and anything else is refused")
    func cursors() throws {
        var random = SplitMix64(seed: SplitMix64.testSeed())
        for _ in 0..<200 {
            let id = Int64.random(in: 0...Int64.max, using: &random)
            #expect(PageRequest.decodeCursor(PageRequest.encodeCursor(after: id)) == id)
        }
        for bad in ["", "abc", "MTIz", PageRequest.encodeCursor(after: 5) + "x", String(repeating: "A", count: 100)] {
            #expect(PageRequest.decodeCursor(bad) == nil, "\(bad)")
        }
    }

    @Test("If-Match: missing is 428, a stale or weak tag 412, the current tag or * passes")
    func ifMatch() throws {
        func request(_ ifMatch: String?) -> Request {
            var head = HTTPRequest(method: .patch, scheme: "http", authority: "x", path: "/")
            if let ifMatch { head.headerFields[.ifMatch] = ifMatch }
            return Request(head: head, body: .init(buffer: ByteBuffer()))
        }
        #expect(throws: APIError.self) { try ETag.checkIfMatch(request(nil), currentVersion: 3) }
        do {
            try ETag.checkIfMatch(request(nil), currentVersion: 3)
        } catch {
            #expect(error.kind == .preconditionRequired)
        }
        for stale in [#""2""#, #"W/"3""#, "3"] {
            do {
                try ETag.checkIfMatch(request(stale), currentVersion: 3)
                Issue.record("\(stale) passed")
            } catch {
                #expect(error.kind == .preconditionFailed)
            }
        }
        try ETag.checkIfMatch(request(#""3""#), currentVersion: 3)
        try ETag.checkIfMatch(request(#""1", "3""#), currentVersion: 3)
        try ETag.checkIfMatch(request("*"), currentVersion: 3)
    }

    @Test("the first invalid UTF-8 byte is found at its offset")
    func utf8Offsets() {
        #expect(JSONBody.firstInvalidUTF8Offset(Array("héllo".utf8)) == nil)
        #expect(JSONBody.firstInvalidUTF8Offset([0x61, 0xFF]) == 1)
        #expect(JSONBody.firstInvalidUTF8Offset([0x61, 0x62, 0xE2, 0x82]) == 2)
        #expect(JSONBody.firstInvalidUTF8Offset([0xED, 0xA0, 0x80]) == 0)
    }
}
