import TalyTestSupport
import Testing

@testable import TalyIndex

/// Builders and oracles shared by the term dictionary tests.
enum TermDictionaryFixture {
    static let segment = SegmentID(high: 0x7E57_7E57_7E57_7E57, low: 0x0000_0000_0000_7E55)

    /// A deterministic entry for the term at `ordinal`: frequencies vary, offsets never decrease,
    /// and some deltas cross varint byte boundaries; terms of one document inline their posting,
    /// with and without positions.
    static func info(ordinal: Int) -> TermInfo {
        let frequency = UInt32(ordinal % 7 + 1) * (ordinal % 50 == 0 ? 100_000 : 1)
        if frequency == 1 {
            let hasPositions = ordinal % 3 != 0
            return TermInfo(
                documentFrequency: 1, totalTermFrequency: UInt64(ordinal % 4 + 1), postingsOffset: 0,
                positionsOffset: hasPositions ? UInt64(ordinal) << 20 | 3 : 0,
                singleton: SingletonPosting(
                    doc: UInt32(ordinal) * 4_099, norm: UInt8(ordinal % 256), hasPositions: hasPositions))
        }
        return TermInfo(
            documentFrequency: frequency,
            totalTermFrequency: UInt64(frequency) + UInt64(ordinal % 5) * 1_000,
            postingsOffset: UInt64(ordinal) * 130 + UInt64(ordinal % 3),
            positionsOffset: ordinal % 11 == 0 ? UInt64(ordinal) << 20 : UInt64(ordinal) << 20 | 7)
    }

    /// Writes `fields` (number, sorted distinct terms) to `path` with `blockSize` terms per block.
    static func write(
        _ fields: [(number: UInt32, terms: [[UInt8]])], to path: String,
        blockSize: Int = TermDictionaryLayout.defaultBlockSize
    ) throws {
        let writer = try TermDictionaryWriter(path: path, segment: segment, blockSize: blockSize)
        for field in fields {
            writer.startField(field.number)
            for (ordinal, term) in field.terms.enumerated() {
                writer.add(term: term, info: info(ordinal: ordinal))
            }
            writer.finishField()
        }
        try writer.finish(sync: false)
    }

    /// Writes one field and opens it.
    static func openSingleField(
        _ terms: [[UInt8]], in directory: TemporaryDirectory, blockSize: Int = TermDictionaryLayout.defaultBlockSize
    ) throws -> FieldTerms {
        let path = directory.path("single.terms")
        try write([(number: 3, terms: terms)], to: path, blockSize: blockSize)
        let reader = try TermDictionaryReader(path: path, segment: segment)
        return try #require(reader.terms(forField: 3))
    }

    /// Sorted, distinct random terms over a small alphabet (so prefixes are shared), including
    /// 0x00 and 0xFF bytes.
    static func randomTerms(count: Int, using random: inout SplitMix64) -> [[UInt8]] {
        let alphabet: [UInt8] = [0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x6D, 0x7A, 0xC3, 0xA9, 0xFF]
        var set = Set<[UInt8]>()
        while set.count < count {
            let length = Int.random(in: 0...(Int.random(in: 0...9, using: &random) == 0 ? 40 : 9), using: &random)
            set.insert((0..<length).map { _ in alphabet.randomElement(using: &random)! })
        }
        return sortedTerms(set)
    }

    /// `terms` in unsigned byte order.
    static func sortedTerms(_ terms: some Sequence<[UInt8]>) -> [[UInt8]] {
        terms.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Every (term, info) the cursor yields from its current state to its end.
    static func drain(_ cursor: inout TermCursor) throws -> [(term: [UInt8], info: TermInfo, ordinal: Int)] {
        var result: [(term: [UInt8], info: TermInfo, ordinal: Int)] = []
        while try cursor.next() {
            result.append((Array(cursor.term), try cursor.info(), cursor.ordinal))
        }
        return result
    }

    /// The oracle's entries at `ordinals`.
    static func expected(_ terms: [[UInt8]], _ ordinals: some Sequence<Int>) -> [(
        term: [UInt8], info: TermInfo, ordinal: Int
    )] {
        ordinals.map { (terms[$0], info(ordinal: $0), $0) }
    }

    /// Whether two enumerations are identical.
    static func same(
        _ a: [(term: [UInt8], info: TermInfo, ordinal: Int)], _ b: [(term: [UInt8], info: TermInfo, ordinal: Int)]
    ) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { $0.term == $1.term && $0.info == $1.info && $0.ordinal == $1.ordinal }
    }

    /// Whether `term` lies within the bounds (nil = open), by brute force.
    static func inRange(_ term: [UInt8], _ lower: TermBound?, _ upper: TermBound?) -> Bool {
        if let lower {
            if term.lexicographicallyPrecedes(lower.term) { return false }
            if term == lower.term && !lower.isInclusive { return false }
        }
        if let upper {
            if upper.term.lexicographicallyPrecedes(term) { return false }
            if term == upper.term && !upper.isInclusive { return false }
        }
        return true
    }
}
