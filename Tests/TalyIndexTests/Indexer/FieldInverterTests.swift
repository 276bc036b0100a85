import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("in-RAM inversion of a field")
struct FieldInverterTests {
    /// term bytes → [(document, positions)] built the obvious way.
    typealias Oracle = [[UInt8]: [(document: UInt32, positions: [UInt32])]]

    static func randomTerm(_ random: inout SplitMix64) -> [UInt8] {
        switch random.next() % 10 {
        case 0: return []  // the empty term is legal (keyword fields)
        case 1:
            return (0..<Int.random(in: 60...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        default:
            return (0..<Int.random(in: 1...12, using: &random)).map { _ in UInt8.random(in: 97...100, using: &random) }
        }
    }

    func check(recordsPositions: Bool, documents: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let vocabulary = (0..<Int.random(in: 1...400, using: &random)).map { _ in Self.randomTerm(&random) }
        var arena = ByteSliceArena(initialCapacity: 64)  // tiny, so growth happens mid-stream
        var inverter = FieldInverter(recordsPositions: recordsPositions)
        var oracle: Oracle = [:]
        var document: UInt32 = 0
        for _ in 0..<documents {
            document += UInt32.random(in: 1...3, using: &random)  // gaps: documents without this field
            let length = Int.random(in: 0...60, using: &random)
            for position in 0..<UInt32(length) {
                // Skewed choice so a few terms are very frequent (long streams, many slices).
                let pick = min(
                    Int.random(in: 0..<vocabulary.count, using: &random),
                    Int.random(in: 0..<vocabulary.count, using: &random))
                let term = vocabulary[pick]
                term.withUnsafeBytes { inverter.add(term: $0, document: document, position: position, arena: &arena) }
                if oracle[term]?.last?.document == document {
                    oracle[term]![oracle[term]!.count - 1].positions.append(position)
                } else {
                    oracle[term, default: []].append((document, [position]))
                }
            }
        }
        let sortedTerms = oracle.keys.sorted { $0.lexicographicallyPrecedes($1) }
        let ids = inverter.sortedTermIDs()
        #expect(ids.count == sortedTerms.count, "seed \(seed)")
        var buffer = [UInt32](repeating: 0, count: 4096)
        for (id, expectedTerm) in zip(ids, sortedTerms) {
            let term = Array(inverter.terms.term(Int(id)))
            #expect(term == expectedTerm, "seed \(seed)")
            let expected = oracle[expectedTerm]!
            let stats = inverter.statistics(id)
            #expect(stats.documentFrequency == UInt32(expected.count), "seed \(seed)")
            #expect(stats.totalFrequency == UInt64(expected.reduce(0) { $0 + $1.positions.count }), "seed \(seed)")
            var reader = inverter.postings(id, arena: arena)
            for posting in expected {
                let advanced = reader.next()
                #expect(advanced, "seed \(seed)")
                #expect(reader.document == posting.document, "seed \(seed)")
                #expect(reader.frequency == UInt32(posting.positions.count), "seed \(seed)")
                if recordsPositions {
                    buffer.withUnsafeMutableBufferPointer { reader.readPositions(into: $0.baseAddress!) }
                    #expect(Array(buffer.prefix(posting.positions.count)) == posting.positions, "seed \(seed)")
                }
            }
            let exhausted = !reader.next()
            #expect(exhausted, "seed \(seed)")
        }
    }

    @Test("documents, frequencies and positions read back as added, terms in byte order (seeded)")
    func randomWithPositions() {
        let seed = SplitMix64.testSeed()
        for round in 0..<(TestEnvironment.longTests ? 200 : 20) {
            check(recordsPositions: true, documents: 1 + round * 13, seed: seed &+ UInt64(round))
        }
    }

    @Test("keyword fields keep documents and frequencies without positions (seeded)")
    func randomWithoutPositions() {
        let seed = SplitMix64.testSeed()
        for round in 0..<(TestEnvironment.longTests ? 200 : 20) {
            check(recordsPositions: false, documents: 1 + round * 13, seed: seed &+ UInt64(round))
        }
    }

    @Test("a reset inverter starts empty and reuses its memory")
    func reset() {
        var arena = ByteSliceArena()
        var inverter = FieldInverter(recordsPositions: true)
        Array("abc".utf8).withUnsafeBytes { inverter.add(term: $0, document: 0, position: 0, arena: &arena) }
        let reserved = inverter.reservedBytes
        inverter.reset()
        arena.reset()
        #expect(inverter.terms.count == 0)
        #expect(inverter.reservedBytes == reserved)
        Array("xyz".utf8).withUnsafeBytes { inverter.add(term: $0, document: 5, position: 2, arena: &arena) }
        var reader = inverter.postings(0, arena: arena)
        let advanced = reader.next()
        #expect(advanced && reader.document == 5 && reader.frequency == 1)
    }

    @Test("term hashing interns equal bytes once and tells different bytes apart, across table growth")
    func termHash() {
        var hash = TermHash(initialTableSize: 2)
        var ids: [[UInt8]: UInt32] = [:]
        for n in 0..<5000 {
            let term = Array(String(n % 2500).utf8)
            let (id, isNew) = term.withUnsafeBytes { hash.intern($0) }
            #expect(isNew == (ids[term] == nil))
            if let known = ids[term] { #expect(known == id) }
            ids[term] = id
        }
        #expect(hash.count == 2500)
    }

    @Test("sorted term ids follow unsigned byte order when terms share eight-byte prefixes and end in zeros (seeded)")
    func sortedIDsBreakPrefixTies() {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        var hash = TermHash(initialTableSize: 2)
        var terms: [[UInt8]] = []
        // Bytes from {0, 1, 255} and lengths around eight: many terms tie on their padded
        // prefix ("ab" and "ab\0"), so the order must come from the bytes after it.
        for _ in 0..<3000 {
            let alphabet: [UInt8] = [0, 1, 255]
            let term = (0..<Int.random(in: 0...11, using: &random)).map { _ in
                alphabet[Int(random.next() % 3)]
            }
            if term.withUnsafeBytes({ hash.intern($0) }).isNew { terms.append(term) }
        }
        let expected = terms.indices.sorted { terms[$0].lexicographicallyPrecedes(terms[$1]) }.map(UInt32.init)
        #expect(hash.sortedIDs() == expected, "seed \(seed)")
    }
}
