import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("BP128 bit packing")
struct BP128Tests {
    /// Packs `values` after `padding` bytes and unpacks through the checked entry point at that offset.
    private func roundTrip(_ values: [UInt32], padding: Int = 0) throws -> (bitWidth: Int, bytes: Int, [UInt32]) {
        var bytes = [UInt8](repeating: 0xAB, count: padding)
        let bitWidth = BP128.pack(values, appendingTo: &bytes)
        let decoded = try BP128.unpack(from: bytes, at: padding, bitWidth: bitWidth)
        return (bitWidth, bytes.count - padding, decoded)
    }

    @Test("every bit width 0...32 round-trips and takes 16 bytes per bit", arguments: 0...32)
    func roundTripsAtEveryBitWidth(bitWidth: Int) throws {
        var generator = SplitMix64(seed: UInt64(bitWidth))
        let values = randomValues(count: 128, bitWidth: bitWidth, using: &generator)
        let (width, byteCount, decoded) = try roundTrip(values)
        #expect(width == bitWidth)
        #expect(byteCount == 16 * bitWidth)
        #expect(byteCount == BP128.packedByteCount(bitWidth: bitWidth))
        #expect(decoded == values)
    }

    @Test("every value at the width's maximum round-trips", arguments: 0...32)
    func roundTripsAllOnes(bitWidth: Int) throws {
        let top: UInt32 = bitWidth == 32 ? .max : (1 << UInt32(bitWidth)) - 1
        let values = [UInt32](repeating: top, count: 128)
        let (width, _, decoded) = try roundTrip(values)
        #expect(width == bitWidth)
        #expect(decoded == values)
    }

    @Test("UInt32.max among small values forces width 32 and round-trips")
    func maximumValueForcesFullWidth() throws {
        var values = (0..<128).map { UInt32($0) }
        values[77] = .max
        let (width, byteCount, decoded) = try roundTrip(values)
        #expect(width == 32)
        #expect(byteCount == 512)
        #expect(decoded == values)
    }

    @Test(
        "bit width is the position of the highest set bit",
        arguments: [
            ([UInt32](), 0), ([0, 0], 0), ([1], 1), ([2, 3], 2), ([255], 8), ([256], 9), ([0x8000_0000], 32),
            ([UInt32.max], 32),
        ] as [([UInt32], Int)]
    )
    func bitWidthOfValues(values: [UInt32], expected: Int) {
        #expect(BP128.bitWidth(of: values) == expected)
    }

    @Test("unaligned source and destination pointers round-trip", arguments: 1...15)
    func unalignedPointersRoundTrip(misalignment: Int) throws {
        var generator = SplitMix64(seed: UInt64(100 + misalignment))
        for bitWidth in [1, 7, 12, 20, 31, 32] {
            let values = randomValues(count: 128, bitWidth: bitWidth, using: &generator)
            let (_, _, decoded) = try roundTrip(values, padding: misalignment)
            #expect(decoded == values, "bit width \(bitWidth), misalignment \(misalignment)")

            // The unchecked pair, both ends misaligned by the same odd offset.
            let raw = UnsafeMutableRawPointer.allocate(byteCount: 512 + 16 + 4 * 128 + 16, alignment: 16)
            defer { raw.deallocate() }
            let packed = raw + misalignment
            values.withUnsafeBufferPointer { BP128.packUnchecked($0.baseAddress!, bitWidth: bitWidth, into: packed) }
            var output = [UInt32](repeating: 0, count: 128)
            output.withUnsafeMutableBufferPointer {
                BP128.unpackUnchecked(from: packed, bitWidth: bitWidth, into: $0.baseAddress!)
            }
            #expect(output == values, "unchecked, bit width \(bitWidth), misalignment \(misalignment)")
        }
    }

    @Test("packing drops bits above the width instead of corrupting neighbours")
    func packingMasksHighBits() {
        let values = [UInt32](repeating: 0xFFFF_FFFF, count: 128)
        var packed = [UInt8](repeating: 0, count: BP128.packedByteCount(bitWidth: 5))
        values.withUnsafeBufferPointer { source in
            packed.withUnsafeMutableBytes {
                BP128.packUnchecked(source.baseAddress!, bitWidth: 5, into: $0.baseAddress!)
            }
        }
        let decoded = try? BP128.unpack(from: packed, at: 0, bitWidth: 5)
        #expect(decoded == [UInt32](repeating: 31, count: 128))
    }

    @Test("a buffer shorter than the block throws truncated", arguments: [1, 8, 13, 32])
    func truncatedBlockThrows(bitWidth: Int) {
        var bytes: [UInt8] = []
        BP128.pack([UInt32](repeating: 1 << UInt32(bitWidth - 1), count: 128), appendingTo: &bytes)
        let short = Array(bytes.dropLast())
        #expect(throws: CodecError.truncated(offset: 0, needed: 16 * bitWidth, available: 16 * bitWidth - 1)) {
            try BP128.unpack(from: short, at: 0, bitWidth: bitWidth)
        }
        #expect(throws: CodecError.truncated(offset: 3, needed: 16 * bitWidth, available: 16 * bitWidth - 3)) {
            try BP128.unpack(from: bytes, at: 3, bitWidth: bitWidth)
        }
    }

    @Test("offsets outside the buffer throw truncated", arguments: [-1, 65, Int.max])
    func offsetsOutsideBufferThrow(offset: Int) {
        let bytes = [UInt8](repeating: 0, count: 64)
        #expect(throws: CodecError.self) {
            try BP128.unpack(from: bytes, at: offset, bitWidth: 4)
        }
    }

    @Test("bit widths outside 0...32 throw", arguments: [-1, 33, 64])
    func invalidBitWidthThrows(bitWidth: Int) {
        let bytes = [UInt8](repeating: 0, count: 1024)
        #expect(throws: CodecError.invalidBitWidth(bitWidth)) {
            try BP128.unpack(from: bytes, at: 0, bitWidth: bitWidth)
        }
    }

    @Test("width 0 decodes zeros from an empty buffer")
    func widthZeroFromEmptyBuffer() throws {
        #expect(try BP128.unpack(from: [], at: 0, bitWidth: 0) == [UInt32](repeating: 0, count: 128))
    }

    @Test("blocks written back to back decode in sequence")
    func consecutiveBlocksDecode() throws {
        var generator = SplitMix64(seed: 7)
        let blocks = (0...32).map { randomValues(count: 128, bitWidth: $0, using: &generator) }
        var bytes: [UInt8] = []
        let widths = blocks.map { BP128.pack($0, appendingTo: &bytes) }
        var offset = 0
        var output = [UInt32](repeating: 0, count: 128)
        try bytes.withUnsafeBytes { buffer in
            for (block, width) in zip(blocks, widths) {
                offset = try output.withUnsafeMutableBufferPointer {
                    try BP128.unpack(from: buffer, at: offset, bitWidth: width, into: $0.baseAddress!)
                }
                #expect(output == block, "bit width \(width)")
            }
        }
        #expect(offset == bytes.count)
    }

    @Test("unpacking into an inline block matches unpacking into a pointer")
    @available(macOS 26, *)
    func unpacksIntoInlineBlock() throws {
        var generator = SplitMix64(seed: 11)
        let ids = (0..<128).map { UInt32($0 * 3 + 1) }
        let values = randomValues(count: 128, bitWidth: 13, using: &generator)
        var bytes: [UInt8] = [0]
        let width = BP128.pack(values, appendingTo: &bytes)
        let idsWidth = BP128.packDocIDs(ids, base: 0, stride: .four, appendingTo: &bytes)
        var block = BP128.Block(repeating: 0)
        var idBlock = BP128.Block(repeating: 0)
        let end = try bytes.withUnsafeBytes { buffer in
            let next = try BP128.unpack(from: buffer, at: 1, bitWidth: width, into: &block)
            return try BP128.unpackDocIDs(
                from: buffer, at: next, bitWidth: idsWidth, base: 0, stride: .four, into: &idBlock)
        }
        #expect(end == bytes.count)
        #expect((0..<128).map { block[$0] } == values)
        #expect((0..<128).map { idBlock[$0] } == ids)
    }

    @Test("seeded random blocks round-trip", arguments: CodecTestSeeds.seeds)
    func randomBlocksRoundTrip(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for iteration in 0..<CodecTestSeeds.iterations {
            let bitWidth = Int.random(in: 0...32, using: &generator)
            let values = randomValues(count: 128, bitWidth: bitWidth, using: &generator)
            let padding = Int.random(in: 0...15, using: &generator)
            let (width, _, decoded) = try roundTrip(values, padding: padding)
            #expect(width == bitWidth, "seed \(seed), iteration \(iteration)")
            #expect(decoded == values, "seed \(seed), iteration \(iteration), bit width \(bitWidth)")
        }
    }
}
