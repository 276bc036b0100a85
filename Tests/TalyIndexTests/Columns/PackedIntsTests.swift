import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("fixed-width bit packing for columns")
struct PackedIntsTests {
    @Test("every width 0...64 round-trips counts at block boundaries, with the documented size (seeded)")
    func roundTrip() {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        for width in 0...64 {
            let mask = width == 0 ? 0 : UInt64.max >> UInt64(64 - width)
            for count in [0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 1000] {
                // Maxima first, so the widest values sit at the start, middle and end.
                let values = (0..<count).map { index in index % 3 == 0 ? mask : random.next() & mask }
                var bytes: [UInt8] = [0xEE]  // packing appends; an offset start checks unaligned reads
                PackedInts.pack(values, bitWidth: width, appendingTo: &bytes)
                #expect(bytes.count - 1 == PackedInts.byteCount(count: count, bitWidth: width))
                bytes.withUnsafeBytes { raw in
                    let reader = PackedIntsReader(base: raw.baseAddress! + 1, count: count, bitWidth: width)
                    for index in 0..<count where reader[index] != values[index] {
                        Issue.record("seed \(seed), width \(width), count \(count), index \(index)")
                        break
                    }
                }
            }
        }
    }

    @Test("bit widths of values follow their highest set bit")
    func widths() {
        #expect(PackedInts.bitWidth(of: 0) == 0)
        #expect(PackedInts.bitWidth(of: 1) == 1)
        #expect(PackedInts.bitWidth(of: 255) == 8)
        #expect(PackedInts.bitWidth(of: 256) == 9)
        #expect(PackedInts.bitWidth(of: UInt64.max) == 64)
    }
}
