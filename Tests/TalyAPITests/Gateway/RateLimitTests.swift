import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("rate limits")
struct RateLimitTests {
    @Test("a token bucket allows its burst, refuses with a retry time, and refills with time")
    func bucket() {
        let limiter = RateLimiter()
        let limit = RateLimit(burst: 3, perSecond: 0.5)
        let start = ContinuousClock.now
        let decisions = (0..<4).map { _ in limiter.take("k", limit: limit, now: start) }
        #expect(decisions.map(\.allowed) == [true, true, true, false])
        #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
        #expect(decisions[3].retryAfterSeconds == 2)
        #expect(decisions[3].resetSeconds == 6)
        #expect(limiter.take("other", limit: limit, now: start).allowed)
        #expect(!limiter.take("k", limit: limit, now: start + .seconds(1)).allowed)
        #expect(limiter.take("k", limit: limit, now: start + .seconds(2)).allowed)
    }

    @Test("per-address limit: 429 with Retry-After and RateLimit headers; other addresses unaffected")
    func perAddress() async throws {
        var settings = APIHarness.testGateway
        settings.rateLimitPerAddress = RateLimit(burst: 2, perSecond: 0.01)
        let harness = try APIHarness(gateway: settings)
        try await harness.application().test(.router) { client in
            let from: HTTPFields = [.xForwardedFor: "203.0.113.7"]
            let started = ContinuousClock.now
            let first = try await client.call(.get, "/healthz", headers: from)
            #expect(first.headers[.rateLimitLimit] == "2")
            #expect(first.headers[.rateLimitRemaining] == "1")
            _ = try await client.call(.get, "/healthz", headers: from)
            let refused = try await client.call(.get, "/healthz", headers: from)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.problemKind == "rate-limited")
            // One token takes 100 s at 0.01/s, less the time the requests themselves took (long
            // on a loaded machine, so the bound is measured, not guessed).
            let elapsed = Int((ContinuousClock.now - started).components.seconds)
            let retryAfter = Int(refused.headers[.retryAfter] ?? "") ?? 0
            #expect((99 - elapsed)...100 ~= retryAfter, "\(elapsed) s elapsed")
            #expect(refused.headers[.rateLimitRemaining] == "0")
            #expect(try await client.call(.get, "/healthz", headers: [.xForwardedFor: "203.0.113.8"]).status == .ok)
        }
    }

    @Test("per-credential limit: each API key has its own bucket")
    func perCredential() async throws {
        var settings = APIHarness.testGateway
        settings.rateLimitPerCredential = RateLimit(burst: 1, perSecond: 0.01)
        let harness = try APIHarness(gateway: settings)
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            #expect(try await client.call(.get, "/v1/auth/me", token: acme.ownerToken).status == .ok)
            let refused = try await client.call(.get, "/v1/auth/me", token: acme.ownerToken)
            #expect(refused.status == .tooManyRequests)
            #expect((refused.object["detail"] as? String)?.contains("credential") == true)
            #expect(try await client.call(.get, "/v1/users", token: acme.bootstrap.apiKey).status == .ok)
            // Anonymous requests are not limited per credential.
            #expect(try await client.call(.get, "/healthz").status == .ok)
        }
    }

    @Test("with both limits on, an answer carries the credential's RateLimit headers once; without one, the address's")
    func bothStages() async throws {
        var settings = APIHarness.testGateway
        settings.rateLimitPerCredential = RateLimit(burst: 7, perSecond: 0.01)
        settings.rateLimitPerAddress = RateLimit(burst: 50, perSecond: 0.01)
        let harness = try APIHarness(gateway: settings)
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            let keyed = try await client.call(.get, "/v1/users", token: acme.bootstrap.apiKey)
            #expect(keyed.status == .ok)
            #expect(keyed.headers[values: .rateLimitLimit] == ["7"])
            #expect(keyed.headers[values: .rateLimitRemaining] == ["6"])
            #expect(keyed.headers[values: .rateLimitReset].count == 1)
            let anonymous = try await client.call(.get, "/healthz")
            #expect(anonymous.headers[values: .rateLimitLimit] == ["50"])
            #expect(anonymous.headers[values: .rateLimitRemaining] == ["48"])
            // A problem answer gets them too.
            let missing = try await client.call(.get, "/v1/users/999999", token: acme.bootstrap.apiKey)
            #expect(missing.status == .notFound)
            #expect(missing.headers[values: .rateLimitLimit] == ["7"])
        }
    }

    @Test("the login throttle counts failures over a sliding hour")
    func loginThrottleWindow() {
        let throttle = LoginThrottle(perAccount: 2, perAddress: 100)
        let start = ContinuousClock.now
        #expect(throttle.retryAfter(account: "a", address: "x", now: start) == nil)
        throttle.recordFailure(account: "a", address: "x", now: start)
        throttle.recordFailure(account: "a", address: "x", now: start + .seconds(600))
        #expect(throttle.retryAfter(account: "a", address: "x", now: start + .seconds(601)) == 2999)
        #expect(throttle.retryAfter(account: "b", address: "x", now: start + .seconds(601)) == nil)
        #expect(throttle.retryAfter(account: "a", address: "x", now: start + .seconds(3600)) == nil)
    }
}
