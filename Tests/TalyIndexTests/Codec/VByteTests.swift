import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("Variable-byte integers")
struct VByteTests {
    @Test(
        "values encode to the LEB128 bytes",
        arguments: [
            (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
            (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]), (1 << 28, [0x80, 0x80, 0x80, 0x80, 0x01]),
            (UInt32.max, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ] as [(UInt32, [UInt8])]
    )
    func encodesKnownBytes(value: UInt32, expected: [UInt8]) throws {
        var bytes: [UInt8] = []
        VByte.append(value, to: &bytes)
        #expect(bytes == expected)
        #expect(VByte.encodedByteCount(of: value) == expected.count)
        var offset = 0
        #expect(try VByte.decode(count: 1, from: bytes, at: &offset) == [value])
        #expect(offset == expected.count)
    }

    @Test("sequences of boundary lengths round-trip", arguments: [0, 1, 127, 128, 129])
    func boundaryCountsRoundTrip(count: Int) throws {
        var generator = SplitMix64(seed: UInt64(count))
        let values = (0..<count).map { index -> UInt32 in
            index.isMultiple(of: 7) ? .max : UInt32.random(in: 0...UInt32.max, using: &generator) >> (index % 32)
        }
        var bytes: [UInt8] = [0xEE]  // a leading byte that is not part of the sequence
        VByte.append(contentsOf: values, to: &bytes)
        var offset = 1
        #expect(try VByte.decode(count: count, from: bytes, at: &offset) == values)
        #expect(offset == bytes.count)
    }

    @Test("every proper prefix of an encoding throws truncated and leaves the offset alone")
    func truncatedInputThrows() {
        var bytes: [UInt8] = []
        VByte.append(UInt32.max, to: &bytes)
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            var offset = 0
            #expect(throws: CodecError.truncated(offset: 0, needed: length + 1, available: length)) {
                try VByte.decode(count: 1, from: prefix, at: &offset)
            }
            #expect(offset == 0)
        }
    }

    @Test("a sequence cut short throws instead of reading past the end")
    func truncatedSequenceThrows() {
        var bytes: [UInt8] = []
        VByte.append(contentsOf: [1, 200, 70_000] as [UInt32], to: &bytes)
        var offset = 0
        #expect(throws: CodecError.truncated(offset: 3, needed: 3, available: 2)) {
            try VByte.decode(count: 3, from: Array(bytes.dropLast()), at: &offset)
        }
        #expect(throws: CodecError.truncated(offset: 6, needed: 1, available: 0)) {
            try VByte.decode(count: 4, from: bytes, at: &offset)
        }
        #expect(offset == 0)
    }

    @Test(
        "encodings longer than 5 bytes or wider than 32 bits throw malformed",
        arguments: [
            [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], [0xFF, 0xFF, 0xFF, 0xFF, 0x1F], [0xFF, 0xFF, 0xFF, 0xFF, 0x10],
            [0x80, 0x80, 0x80, 0x80, 0x90, 0x01],
        ] as [[UInt8]]
    )
    func malformedInputThrows(bytes: [UInt8]) {
        var offset = 0
        #expect(throws: CodecError.malformedVByte(offset: 0)) {
            try VByte.decode(count: 1, from: bytes, at: &offset)
        }
        #expect(offset == 0)
    }

    @Test("offsets outside the buffer throw truncated", arguments: [-1, 2, 3, Int.max])
    func offsetsOutsideBufferThrow(offset: Int) {
        var position = offset
        #expect(throws: CodecError.self) {
            try VByte.decode(count: 1, from: [0x01, 0x02], at: &position)
        }
        #expect(position == offset)
    }

    @Test("decoding into a pointer reads from an unaligned buffer view")
    func decodesIntoPointer() throws {
        var bytes: [UInt8] = [0xAA, 0xBB, 0xCC]
        VByte.append(contentsOf: [5, 1 << 20, 0, UInt32.max] as [UInt32], to: &bytes)
        var output = [UInt32](repeating: 9, count: 4)
        var offset = 3
        try bytes.withUnsafeBytes { buffer in
            try output.withUnsafeMutableBufferPointer {
                try VByte.decode(count: 4, from: buffer, at: &offset, into: $0.baseAddress!)
            }
        }
        #expect(output == [5, 1 << 20, 0, UInt32.max])
        #expect(offset == bytes.count)
    }

    @Test("seeded random sequences round-trip, and random garbage never traps", arguments: CodecTestSeeds.seeds)
    func randomSequencesRoundTrip(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for iteration in 0..<CodecTestSeeds.iterations {
            let count = Int.random(in: 0...200, using: &generator)
            let values = (0..<count).map { _ in
                UInt32.random(in: 0...UInt32.max, using: &generator) >> UInt32.random(in: 0...31, using: &generator)
            }
            var bytes: [UInt8] = []
            VByte.append(contentsOf: values, to: &bytes)
            #expect(bytes.count == values.reduce(0) { $0 + VByte.encodedByteCount(of: $1) })
            var offset = 0
            let decoded = try VByte.decode(count: count, from: bytes, at: &offset)
            #expect(decoded == values, "seed \(seed), iteration \(iteration)")

            // Arbitrary bytes either decode or throw a CodecError: never a trap.
            let garbage = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            var garbageOffset = 0
            _ = try? VByte.decode(count: 3, from: garbage, at: &garbageOffset)
        }
    }
}
