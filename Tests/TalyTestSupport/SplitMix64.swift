import Foundation

/// A tiny seeded generator (Steele, Lea & Flood 2014) so every randomized test can print its seed
/// and be replayed exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose whole output is determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed for a randomized test: `TALY_SEED` when set (to replay a failure), else a fresh one.
    public static func testSeed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["TALY_SEED"], let seed = UInt64(text) {
            return seed
        }
        return UInt64.random(in: 0...UInt64.max)
    }
}

/// An error thrown inside a seeded test, with the seed that replays it.
public struct SeededTestFailure: Error, CustomStringConvertible {
    /// The seed to set as `TALY_SEED`.
    public let seed: UInt64
    /// What the test threw.
    public let underlying: any Error

    public var description: String { "seed \(seed) (replay with TALY_SEED=\(seed)): \(underlying)" }
}

/// Runs a seeded test's `body` with `SplitMix64.testSeed()`. Expectations name the seed themselves;
/// this names it when `body` throws, which Swift Testing would otherwise report without it.
public func withTestSeed<Result>(_ body: (UInt64) throws -> Result) throws -> Result {
    let seed = SplitMix64.testSeed()
    do {
        return try body(seed)
    } catch {
        throw SeededTestFailure(seed: seed, underlying: error)
    }
}
