import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("zstd block codec")
struct ZstdTests {
    @Test("round-trips empty, small and repetitive blocks", arguments: [0, 1, 100, 16 * 1024, 200_000])
    func roundTrip(size: Int) throws {
        var generator = SplitMix64(seed: UInt64(size))
        // Text-like bytes: a small alphabet so zstd actually compresses.
        let raw = (0..<size).map { _ in UInt8(97 + generator.next() % 8) }
        let frame = raw.withUnsafeBytes { Zstd.compress($0) }
        if size >= 16 * 1024 {
            #expect(frame.count < raw.count / 2, "an 8-letter alphabet must compress at least 2x")
        }
        let back = try frame.withUnsafeBytes { try Zstd.decompress($0, expectedSize: size) }
        #expect(back == raw)
    }

    @Test("a flipped byte or a truncation is a typed error, never a crash")
    func corruptFrames() throws {
        let raw = Array("the quick brown fox jumps over the lazy dog ".utf8)
        let frame = raw.withUnsafeBytes { Zstd.compress($0) }
        let truncated = Array(frame.dropLast(3))
        #expect(throws: ZstdError.self) {
            try truncated.withUnsafeBytes { try Zstd.decompress($0, expectedSize: raw.count) }
        }
        var badMagic = frame
        badMagic[0] ^= 0xFF
        #expect(throws: ZstdError.self) {
            try badMagic.withUnsafeBytes { try Zstd.decompress($0, expectedSize: raw.count) }
        }
        #expect(throws: ZstdError.sizeMismatch(expected: raw.count + 1, found: raw.count)) {
            try frame.withUnsafeBytes { try Zstd.decompress($0, expectedSize: raw.count + 1) }
        }
    }
}
