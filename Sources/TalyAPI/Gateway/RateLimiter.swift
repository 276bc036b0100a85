import Foundation
import Hummingbird
import Synchronization

/// Token buckets keyed by credential or client address, in memory (one process; behind a load
/// balancer each instance limits on its own).
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// The outcome of taking one token.
    public struct Decision: Sendable, Equatable {
        /// Whether the request may go on.
        public let allowed: Bool
        /// The bucket's capacity.
        public let limit: Int
        /// Whole tokens left after this request.
        public let remaining: Int
        /// Seconds until the bucket is full again (`RateLimit-Reset`).
        public let resetSeconds: Int
        /// Seconds until one token is back, when refused (`Retry-After`).
        public let retryAfterSeconds: Int
    }

    private let buckets = Mutex([String: Bucket]())
    /// Above this many buckets, full ones are dropped (they hold no state a new bucket lacks).
    private let sweepThreshold: Int

    /// An empty limiter.
    public init(sweepThreshold: Int = 100_000) { self.sweepThreshold = sweepThreshold }

    /// Takes a token from `key`'s bucket of shape `limit`, at `now`.
    public func take(_ key: String, limit: RateLimit, now: ContinuousClock.Instant = .now) -> Decision {
        let capacity = Double(limit.burst)
        return buckets.withLock { buckets in
            if buckets.count > sweepThreshold { Self.sweep(&buckets, limit: limit, now: now) }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = Self.seconds(now - bucket.updated)
            bucket.tokens = min(capacity, bucket.tokens + max(0, elapsed) * limit.perSecond)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            return Decision(
                allowed: allowed, limit: limit.burst, remaining: Int(bucket.tokens.rounded(.down)),
                resetSeconds: Int(((capacity - bucket.tokens) / limit.perSecond).rounded(.up)),
                retryAfterSeconds: allowed ? 0 : max(1, Int(((1 - bucket.tokens) / limit.perSecond).rounded(.up))))
        }
    }

    private static func sweep(_ buckets: inout [String: Bucket], limit: RateLimit, now: ContinuousClock.Instant) {
        let capacity = Double(limit.burst)
        buckets = buckets.filter { _, bucket in
            bucket.tokens + seconds(now - bucket.updated) * limit.perSecond < capacity
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Failed sign-ins per account and per client address over a sliding hour.
///
/// Unknown accounts are counted exactly like real ones (by the email given), so whether an
/// account is locked tells nothing about whether it exists.
public final class LoginThrottle: Sendable {
    private let failures = Mutex([String: [ContinuousClock.Instant]]())
    private let perAccount: Int
    private let perAddress: Int
    private let window: Duration = .seconds(3600)

    /// At most `perAccount` failures per account and `perAddress` per address per hour.
    public init(perAccount: Int, perAddress: Int) {
        self.perAccount = perAccount
        self.perAddress = perAddress
    }

    /// Seconds until a sign-in for `account` from `address` may be tried again, or nil if it may now.
    public func retryAfter(account: String, address: String, now: ContinuousClock.Instant = .now) -> Int? {
        failures.withLock { failures in
            var wait: Duration?
            for (key, limit) in [("account:" + account, perAccount), ("address:" + address, perAddress)] {
                var times = failures[key] ?? []
                times.removeAll { now - $0 >= window }
                failures[key] = times.isEmpty ? nil : times
                if times.count >= limit, let oldest = times.first {
                    let until = window - (now - oldest)
                    wait = max(wait ?? .zero, until)
                }
            }
            return wait.map { max(1, Int(RateLimiter.seconds($0).rounded(.up))) }
        }
    }

    /// Counts one failed sign-in.
    public func recordFailure(account: String, address: String, now: ContinuousClock.Instant = .now) {
        failures.withLock { failures in
            for key in ["account:" + account, "address:" + address] {
                var times = failures[key] ?? []
                times.removeAll { now - $0 >= window }
                times.append(now)
                // Only the newest `limit` failures matter to the decision.
                if times.count > max(perAccount, perAddress) { times.removeFirst() }
                failures[key] = times
            }
        }
    }
}
