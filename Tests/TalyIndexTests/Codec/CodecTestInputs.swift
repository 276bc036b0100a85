import TalyTestSupport

/// Seeds and iteration counts shared by the codec property tests.
enum CodecTestSeeds {
    /// Fixed seeds: each failure message names the seed to replay.
    static let seeds: [UInt64] = [1, 42, 0xC0DE_C0DE, 20_150_101]

    /// Iterations per seed; `TALY_LONG_TESTS=1` runs many more.
    static var iterations: Int {
        TestEnvironment.longTests ? 20_000 : 200
    }
}

/// Random values of at most `bitWidth` bits, with the top bit forced on in one value so the width is exact.
func randomValues(count: Int, bitWidth: Int, using generator: inout SplitMix64) -> [UInt32] {
    let mask: UInt32 = bitWidth == 32 ? .max : (1 << UInt32(bitWidth)) &- 1
    var values = (0..<count).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) & mask }
    if bitWidth > 0 && count > 0 {
        values[Int.random(in: 0..<count, using: &generator)] |= 1 << UInt32(bitWidth - 1)
    }
    return values
}
