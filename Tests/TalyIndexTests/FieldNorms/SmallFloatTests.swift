import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("SmallFloat one-byte field lengths (Lucene intToByte4 / byte4ToInt)")
struct SmallFloatTests {
    @Test("lengths below 40 encode exactly: 0..<24 as themselves, 24..<40 through exact int4 codes")
    func exactRange() {
        for length: UInt32 in 0..<40 {
            #expect(SmallFloat.byte4ToInt(SmallFloat.intToByte4(length)) == length, "length \(length)")
        }
        for length: UInt32 in 0..<24 { #expect(SmallFloat.intToByte4(length) == UInt8(length)) }
        #expect(SmallFloat.byte4ToInt(SmallFloat.intToByte4(41)) == 40)
    }

    // Values computed by hand from Lucene's SmallFloat source (NUM_FREE_VALUES = 255 − 231 = 24).
    @Test(
        "known lengths match Lucene's encoding",
        arguments: [
            (UInt32(100), UInt8(57), UInt32(96)),
            (1000, 87, 984),
            (4096, 103, 3864),
            (65535, 135, 61464),
            (1_000_000, 167, 983_064),
            (UInt32(Int32.max), 255, 2_013_265_944),
        ])
    func knownValues(length: UInt32, byte: UInt8, decoded: UInt32) {
        #expect(SmallFloat.intToByte4(length) == byte)
        #expect(SmallFloat.byte4ToInt(byte) == decoded)
    }

    @Test("lengths past Int32.max saturate to byte 255, as Int32.max itself does")
    func saturation() {
        #expect(SmallFloat.intToByte4(UInt32.max) == 255)
        #expect(SmallFloat.intToByte4(UInt32(Int32.max) + 1) == 255)
    }

    @Test("the decode table is strictly increasing and every entry encodes back to its byte")
    func decodeTable() {
        let table = SmallFloat.decodeTable
        #expect(table.count == 256)
        for byte in 0...255 {
            #expect(table[byte] == SmallFloat.byte4ToInt(UInt8(byte)))
            #expect(SmallFloat.intToByte4(table[byte]) == UInt8(byte))
            if byte > 0 { #expect(table[byte] > table[byte - 1]) }
        }
    }

    @Test("int4 keeps the 4 most significant bits and is strictly increasing over its codes")
    func int4() {
        for value: UInt64 in 0...16 { #expect(SmallFloat.int4ToLong(SmallFloat.longToInt4(value)) == value) }
        let maxCode = SmallFloat.longToInt4(UInt64.max)
        for code in 1...maxCode { #expect(SmallFloat.int4ToLong(code) > SmallFloat.int4ToLong(code - 1)) }
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        for _ in 0..<2000 {
            let value = random.next() >> UInt64.random(in: 0...63, using: &random)
            let bits = UInt64.bitWidth - value.leadingZeroBitCount
            let expected = bits > 4 ? value & (UInt64.max << UInt64(bits - 4)) : value
            #expect(SmallFloat.int4ToLong(SmallFloat.longToInt4(value)) == expected, "seed \(seed), value \(value)")
        }
    }

    @Test("encoding rounds down to the largest decodable length and preserves order (seeded)")
    func roundsDown() {
        let table = SmallFloat.decodeTable
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        var previous: (length: UInt32, byte: UInt8) = (0, 0)
        for _ in 0..<5000 {
            let length = UInt32(truncatingIfNeeded: random.next()) >> UInt32.random(in: 1...31, using: &random)
            let byte = SmallFloat.intToByte4(length)
            // The oracle: the last table entry not above the length.
            let expected = table.lastIndex { $0 <= length }!
            #expect(Int(byte) == expected, "seed \(seed), length \(length)")
            #expect(SmallFloat.byte4ToInt(byte) <= length)
            if length >= previous.length { #expect(byte >= previous.byte, "seed \(seed)") }
            previous = (length, byte)
        }
    }
}
