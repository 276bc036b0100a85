import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("Delta coding of doc ids")
struct DeltaCodingTests {
    /// Sorted doc ids above `base` with gaps drawn from `gaps`.
    private func docIDs(count: Int, base: UInt32, gaps: ClosedRange<UInt32>, using generator: inout SplitMix64)
        -> [UInt32]
    {
        var docID = base
        return (0..<count).map { _ in
            docID += UInt32.random(in: gaps, using: &generator)
            return docID
        }
    }

    /// Delta-codes and packs one block of `ids`, then decodes it with the fused unpack.
    private func fusedRoundTrip(_ ids: [UInt32], base: UInt32, stride: DeltaCoding.Stride, padding: Int = 0) throws
        -> [UInt32]
    {
        var bytes = [UInt8](repeating: 0, count: padding)
        let bitWidth = BP128.packDocIDs(ids, base: base, stride: stride, appendingTo: &bytes)
        var output = [UInt32](repeating: 0, count: 128)
        let end = try bytes.withUnsafeBytes { buffer in
            try output.withUnsafeMutableBufferPointer {
                try BP128.unpackDocIDs(
                    from: buffer, at: padding, bitWidth: bitWidth, base: base, stride: stride, into: $0.baseAddress!)
            }
        }
        #expect(end == bytes.count)
        return output
    }

    @Test("gap-1 runs pack at width 1 with stride 1 and 3 with stride 4", arguments: DeltaCoding.Stride.allCases)
    func consecutiveDocIDsRoundTrip(stride: DeltaCoding.Stride) throws {
        let ids = (0..<128).map { UInt32(1000 + $0) }
        let deltas = DeltaCoding.encode(ids, base: 999, stride: stride)
        #expect(BP128.bitWidth(of: deltas) == (stride == .one ? 1 : 3))
        #expect(DeltaCoding.decode(deltas, base: 999, stride: stride) == ids)
        #expect(try fusedRoundTrip(ids, base: 999, stride: stride) == ids)
        // Starting right at the base makes every stride-1 delta 1 and the block width 1.
        let fromZero = (0..<128).map { UInt32($0) }
        #expect(try fusedRoundTrip(fromZero, base: 0, stride: stride) == fromZero)
    }

    @Test("big gaps up to UInt32.max round-trip", arguments: DeltaCoding.Stride.allCases)
    func bigGapsRoundTrip(stride: DeltaCoding.Stride) throws {
        var ids = (0..<128).map { UInt32($0) * 33_000_000 }
        ids[127] = .max
        #expect(try fusedRoundTrip(ids, base: 0, stride: stride) == ids)
        #expect(DeltaCoding.decode(DeltaCoding.encode(ids, base: 0, stride: stride), base: 0, stride: stride) == ids)
        let extremes = [UInt32](repeating: 0, count: 64) + [UInt32](repeating: .max, count: 64)
        #expect(try fusedRoundTrip(extremes, base: 0, stride: stride) == extremes)
    }

    @Test("stride 4 codes each value against the one four places back")
    func strideFourDeltas() {
        let deltas = DeltaCoding.encode([10, 11, 13, 20, 21, 30, 31, 40], base: 5, stride: .four)
        #expect(deltas == [5, 6, 8, 15, 11, 19, 18, 20])
        #expect(DeltaCoding.encode([10, 11, 13, 20], base: 5, stride: .one) == [5, 1, 2, 7])
    }

    @Test(
        "tails of any length round-trip through vbyte and the scalar prefix sum",
        arguments: [0, 1, 3, 4, 5, 127, 128, 129], DeltaCoding.Stride.allCases)
    func tailsRoundTrip(count: Int, stride: DeltaCoding.Stride) throws {
        var generator = SplitMix64(seed: UInt64(count))
        let ids = docIDs(count: count, base: 500, gaps: 1...100_000, using: &generator)
        var bytes: [UInt8] = []
        VByte.append(contentsOf: DeltaCoding.encode(ids, base: 500, stride: stride), to: &bytes)
        var offset = 0
        let deltas = try VByte.decode(count: count, from: bytes, at: &offset)
        #expect(offset == bytes.count)
        #expect(DeltaCoding.decode(deltas, base: 500, stride: stride) == ids)
    }

    @Test("the fused unpack equals unpack then scalar prefix sum at every width", arguments: 0...32)
    func fusedMatchesScalar(bitWidth: Int) throws {
        var generator = SplitMix64(seed: UInt64(300 + bitWidth))
        let deltas = randomValues(count: 128, bitWidth: bitWidth, using: &generator)
        var bytes: [UInt8] = [0, 0, 0]
        BP128.pack(deltas, appendingTo: &bytes)
        for stride in DeltaCoding.Stride.allCases {
            let base = UInt32.random(in: 0...UInt32.max, using: &generator)
            var fused = [UInt32](repeating: 0, count: 128)
            try bytes.withUnsafeBytes { buffer in
                try fused.withUnsafeMutableBufferPointer {
                    _ = try BP128.unpackDocIDs(
                        from: buffer, at: 3, bitWidth: bitWidth, base: base, stride: stride, into: $0.baseAddress!)
                }
            }
            #expect(fused == DeltaCoding.decode(deltas, base: base, stride: stride), "stride \(stride)")
        }
    }

    @Test("fused unpack of a truncated block throws", arguments: DeltaCoding.Stride.allCases)
    func fusedTruncatedThrows(stride: DeltaCoding.Stride) {
        let bytes = [UInt8](repeating: 0xFF, count: 16 * 9 - 1)
        var output = [UInt32](repeating: 0, count: 128)
        #expect(throws: CodecError.truncated(offset: 0, needed: 144, available: 143)) {
            try bytes.withUnsafeBytes { buffer in
                try output.withUnsafeMutableBufferPointer {
                    try BP128.unpackDocIDs(
                        from: buffer, at: 0, bitWidth: 9, base: 0, stride: stride, into: $0.baseAddress!)
                }
            }
        }
    }

    @Test("seeded random doc-id blocks round-trip", arguments: CodecTestSeeds.seeds)
    func randomDocIDBlocksRoundTrip(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for iteration in 0..<CodecTestSeeds.iterations {
            let maxGap = UInt32(1) << UInt32.random(in: 0...24, using: &generator)
            let base = UInt32.random(in: 0...1 << 20, using: &generator)
            let ids = docIDs(count: 128, base: base, gaps: 0...maxGap, using: &generator)
            for stride in DeltaCoding.Stride.allCases {
                let padding = Int.random(in: 0...15, using: &generator)
                let decoded = try fusedRoundTrip(ids, base: base, stride: stride, padding: padding)
                #expect(decoded == ids, "seed \(seed), iteration \(iteration), stride \(stride)")
            }
        }
    }
}
