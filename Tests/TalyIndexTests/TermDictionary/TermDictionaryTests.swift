import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the term dictionary: lookup and enumeration")
struct TermDictionaryTests {
    typealias Fixture = TermDictionaryFixture

    @Test("many fields of random sorted terms read back exactly: lookups, ordinals, prefixes, ranges, seeks (seeded)")
    func randomRoundTrip() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let path = directory.path("random.terms")
        let counts = [0, 1, 2, 31, 32, 33, 500, TestEnvironment.longTests ? 50_000 : 3_000]
        let fields = counts.enumerated().map { index, count in
            (number: UInt32(index * 3 + 1), terms: Fixture.randomTerms(count: count, using: &random))
        }
        let blockSize = [1, 2, 3, 8, 32, 64].randomElement(using: &random)!
        try Fixture.write(fields, to: path, blockSize: blockSize)
        let reader = try TermDictionaryReader(path: path, segment: Fixture.segment)
        #expect(reader.fields == fields.map(\.number), "seed \(seed)")
        #expect(reader.terms(forField: 2) == nil)
        #expect(reader.terms(forField: 1_000) == nil)

        for field in fields {
            let context = "seed \(seed), block size \(blockSize), field \(field.number)"
            let terms = try #require(reader.terms(forField: field.number))
            let oracle = field.terms
            let present = Set(oracle)
            #expect(terms.termCount == oracle.count, "\(context)")

            var all = terms.makeCursor()
            #expect(Fixture.same(try Fixture.drain(&all), Fixture.expected(oracle, oracle.indices)), "\(context)")

            for (ordinal, term) in oracle.enumerated() {
                #expect(try terms.lookup(term) == Fixture.info(ordinal: ordinal), "\(context) term \(term)")
                #expect(try term.withUnsafeBytes { try terms.ordinal(of: $0) } == ordinal, "\(context)")
                if ordinal % 7 == 0 { #expect(try terms.term(atOrdinal: ordinal) == term, "\(context)") }
            }

            // Absent and borderline keys: prefixes and extensions of present terms, byte edges.
            var probes: [[UInt8]] = [[], [0x00], [0xFF], [0xFF, 0xFF, 0xFF], [0x61]]
            for term in oracle.prefix(200) {
                probes.append(Array(term.dropLast()))
                probes.append(term + [0x00])
                probes.append(term + [0x62])
                if let last = term.last, last < 0xFF { probes.append(term.dropLast() + [last + 1]) }
            }
            for _ in 0..<200 { probes.append(Fixture.randomTerms(count: 1, using: &random)[0]) }
            for probe in probes {
                let expectedOrdinal = oracle.firstIndex(of: probe)
                #expect(
                    try terms.lookup(probe) == expectedOrdinal.map { Fixture.info(ordinal: $0) }, "\(context) \(probe)")
                // Seek-ceil against the first oracle term not below the probe.
                let ceiling = oracle.firstIndex { !$0.lexicographicallyPrecedes(probe) }
                var cursor = terms.makeCursor()
                let result = try cursor.seekCeil(probe)
                switch result {
                case .found:
                    #expect(present.contains(probe) && cursor.ordinal == ceiling, "\(context) \(probe)")
                case .notFound:
                    #expect(!present.contains(probe) && cursor.ordinal == ceiling, "\(context) \(probe)")
                    #expect(ceiling.map { Array(cursor.term) == oracle[$0] } ?? false, "\(context) \(probe)")
                case .end:
                    #expect(ceiling == nil, "\(context) \(probe)")
                }
                if result != .end {
                    // The walk continues from the seek.
                    let rest = try Fixture.drain(&cursor)
                    #expect(rest.count == oracle.count - ceiling! - 1, "\(context) \(probe)")
                }
            }

            // Prefix enumeration against brute force.
            for probe in probes.prefix(300) {
                var cursor = terms.makeCursor(prefix: probe)
                let expected = oracle.indices.filter { oracle[$0].starts(with: probe) }
                #expect(
                    Fixture.same(try Fixture.drain(&cursor), Fixture.expected(oracle, expected)),
                    "\(context) prefix \(probe)")
            }

            // Range enumeration with every kind of bound against brute force.
            for _ in 0..<150 {
                func bound() -> TermBound? {
                    let term = probes.randomElement(using: &random)!
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: return nil
                    case 1: return .inclusive(term)
                    default: return .exclusive(term)
                    }
                }
                let lower = bound()
                let upper = bound()
                var cursor = terms.makeCursor(from: lower, to: upper)
                let expected = oracle.indices.filter { Fixture.inRange(oracle[$0], lower, upper) }
                #expect(
                    Fixture.same(try Fixture.drain(&cursor), Fixture.expected(oracle, expected)),
                    "\(context) range \(String(describing: lower)) \(String(describing: upper))")
            }
        }
    }

    @Test("an empty field is listed, has no terms, and every walk ends at once")
    func emptyField() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("empty.terms")
        try Fixture.write([(number: 0, terms: []), (number: 9, terms: [Array("x".utf8)])], to: path)
        let reader = try TermDictionaryReader(path: path, segment: Fixture.segment)
        #expect(reader.fields == [0, 9])
        let terms = try #require(reader.terms(forField: 0))
        #expect(terms.termCount == 0)
        #expect(terms.blockCount == 0)
        #expect(try terms.lookup([]) == nil)
        #expect(try terms.lookup(Array("x".utf8)) == nil)
        var cursor = terms.makeCursor()
        #expect(try cursor.next() == false)
        var seeking = terms.makeCursor()
        #expect(try seeking.seekCeil([]) == .end)
        #expect(try seeking.seek(toOrdinal: 0) == false)
    }

    @Test("a dictionary with no fields opens and has none")
    func noFields() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("none.terms")
        try Fixture.write([], to: path)
        let reader = try TermDictionaryReader(path: path, segment: Fixture.segment)
        #expect(reader.fields.isEmpty)
        #expect(reader.terms(forField: 0) == nil)
    }

    @Test("a field with one term finds it and nothing else", arguments: [[], Array("solo".utf8), [0x00], [0xFF]])
    func singleTerm(term: [UInt8]) throws {
        let directory = try TemporaryDirectory()
        let terms = try Fixture.openSingleField([term], in: directory)
        #expect(terms.termCount == 1)
        #expect(try terms.lookup(term) == Fixture.info(ordinal: 0))
        #expect(try terms.lookup(term + [0]) == nil)
        if !term.isEmpty { #expect(try terms.lookup([]) == nil) }
        var cursor = terms.makeCursor()
        #expect(Fixture.same(try Fixture.drain(&cursor), Fixture.expected([term], [0])))
        var prefix = terms.makeCursor(prefix: term)
        #expect(try Fixture.drain(&prefix).map(\.term) == [term])
        #expect(try terms.term(atOrdinal: 0) == term)
    }

    @Test("the empty term sorts first and is found, enumerated and used as a bound")
    func emptyTerm() throws {
        let directory = try TemporaryDirectory()
        let oracle: [[UInt8]] = [[], [0x00], Array("a".utf8), Array("ab".utf8)]
        let terms = try Fixture.openSingleField(oracle, in: directory, blockSize: 2)
        #expect(try terms.lookup([]) == Fixture.info(ordinal: 0))
        var all = terms.makeCursor(prefix: [])
        #expect(try Fixture.drain(&all).map(\.term) == oracle)
        var open = terms.makeCursor(from: .exclusive([]), to: .inclusive(Array("a".utf8)))
        #expect(try Fixture.drain(&open).map(\.term) == [[0x00], Array("a".utf8)])
        var none = terms.makeCursor(from: nil, to: .exclusive([]))
        #expect(try none.next() == false)
    }

    @Test("terms sharing prefixes of hundreds of bytes round-trip and are found")
    func longSharedPrefixes() throws {
        let directory = try TemporaryDirectory()
        let stem = [UInt8](repeating: 0x6C, count: 300)
        var set = Set<[UInt8]>()
        for index in 0..<200 {
            set.insert(stem + Array("\(index)".utf8))
            set.insert(Array(stem.prefix(index)) + [0x7A])
            set.insert(stem + [UInt8](repeating: 0xFF, count: index % 40))
        }
        let oracle = Fixture.sortedTerms(set)
        let terms = try Fixture.openSingleField(oracle, in: directory, blockSize: 16)
        #expect(terms.maxTermLength == oracle.map(\.count).max())
        var cursor = terms.makeCursor()
        #expect(Fixture.same(try Fixture.drain(&cursor), Fixture.expected(oracle, oracle.indices)))
        for (ordinal, term) in oracle.enumerated() {
            #expect(try terms.lookup(term) == Fixture.info(ordinal: ordinal))
            #expect(try terms.lookup(term + [0x01]) == nil)  // no term continues with 0x01
        }
        var prefixed = terms.makeCursor(prefix: stem + [0x31])
        #expect(try Fixture.drain(&prefixed).map(\.term) == oracle.filter { $0.starts(with: stem + [0x31]) })
    }

    @Test(
        "block boundaries: one term short of, exactly, and one past full blocks",
        arguments: [(4, 3), (4, 4), (4, 5), (4, 8), (4, 9), (32, 31), (32, 32), (32, 33), (32, 65)]
    )
    func blockBoundaries(blockSize: Int, count: Int) throws {
        let directory = try TemporaryDirectory()
        let oracle = (0..<count).map { Array("term\(1000 + $0)".utf8) }
        let terms = try Fixture.openSingleField(oracle, in: directory, blockSize: blockSize)
        #expect(terms.blockCount == (count + blockSize - 1) / blockSize)
        var cursor = terms.makeCursor()
        #expect(Fixture.same(try Fixture.drain(&cursor), Fixture.expected(oracle, oracle.indices)))
        for (ordinal, term) in oracle.enumerated() {
            #expect(try terms.lookup(term) == Fixture.info(ordinal: ordinal))
            // Between this term and the next: absent, and its ceiling is the next term.
            let between = term + [0x00]
            #expect(try terms.lookup(between) == nil)
            var seeking = terms.makeCursor()
            let result = try seeking.seekCeil(between)
            #expect(result == (ordinal + 1 < count ? .notFound : .end))
            if ordinal + 1 < count { #expect(seeking.ordinal == ordinal + 1) }
            var byOrdinal = terms.makeCursor()
            #expect(try byOrdinal.seek(toOrdinal: ordinal))
            #expect(Array(byOrdinal.term) == term)
            #expect(try byOrdinal.info() == Fixture.info(ordinal: ordinal))
        }
        #expect(try terms.lookup(Array("term".utf8)) == nil)  // before the first
        #expect(try terms.lookup(Array("zzz".utf8)) == nil)  // after the last
    }

    @Test("binary terms with 0x00 and 0xFF bytes sort unsigned and enumerate by prefix")
    func binaryBytes() throws {
        let directory = try TemporaryDirectory()
        let oracle: [[UInt8]] = [
            [0x00], [0x00, 0x00], [0x00, 0xFF], [0x7F], [0x80], [0xFE, 0xFF], [0xFF], [0xFF, 0x00], [0xFF, 0xFF],
            [0xFF, 0xFF, 0xFF],
        ]
        let terms = try Fixture.openSingleField(oracle, in: directory, blockSize: 3)
        for (ordinal, term) in oracle.enumerated() { #expect(try terms.lookup(term) == Fixture.info(ordinal: ordinal)) }
        var high = terms.makeCursor(prefix: [0xFF])
        #expect(try Fixture.drain(&high).map(\.term) == [[0xFF], [0xFF, 0x00], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF]])
        var highest = terms.makeCursor(prefix: [0xFF, 0xFF])
        #expect(try Fixture.drain(&highest).map(\.term) == [[0xFF, 0xFF], [0xFF, 0xFF, 0xFF]])
        var low = terms.makeCursor(prefix: [0x00])
        #expect(try Fixture.drain(&low).map(\.term) == [[0x00], [0x00, 0x00], [0x00, 0xFF]])
        var edge = terms.makeCursor(prefix: [0xFE])
        #expect(try Fixture.drain(&edge).map(\.term) == [[0xFE, 0xFF]])
    }

    @Test("range bounds are inclusive or exclusive as asked, and seeks stay within them")
    func rangeBounds() throws {
        let directory = try TemporaryDirectory()
        let words = ["apple", "apricot", "banana", "blueberry", "cherry", "date"]
        let oracle = words.map { Array($0.utf8) }
        let terms = try Fixture.openSingleField(oracle, in: directory, blockSize: 2)
        func walk(_ lower: TermBound?, _ upper: TermBound?) throws -> [String] {
            var cursor = terms.makeCursor(from: lower, to: upper)
            return try Fixture.drain(&cursor).map { String(decoding: $0.term, as: UTF8.self) }
        }
        let banana = Array("banana".utf8)
        let cherry = Array("cherry".utf8)
        #expect(try walk(.inclusive(banana), .exclusive(cherry)) == ["banana", "blueberry"])
        #expect(try walk(.exclusive(banana), .inclusive(cherry)) == ["blueberry", "cherry"])
        #expect(try walk(nil, .inclusive(Array("b".utf8))) == ["apple", "apricot"])
        #expect(try walk(.inclusive(Array("c".utf8)), nil) == ["cherry", "date"])
        #expect(try walk(.inclusive(cherry), .exclusive(banana)) == [])

        var cursor = terms.makeCursor(from: .inclusive(banana), to: .exclusive(cherry))
        #expect(try cursor.seekCeil(Array("a".utf8)) == .notFound)  // clamped to the lower bound
        #expect(String(decoding: cursor.term, as: UTF8.self) == "banana")
        #expect(try cursor.seekCeil(Array("blueberry".utf8)) == .found)
        #expect(try cursor.seekCeil(Array("c".utf8)) == .end)  // "cherry" is outside
        #expect(try cursor.seek(toOrdinal: 0) == false)
        #expect(try cursor.seek(toOrdinal: 3))
    }

    @Test("the bytes of the example in docs/format/term-dictionary.md are what the writer writes")
    func documentedExample() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("example.terms")
        let writer = try TermDictionaryWriter(path: path, segment: Fixture.segment)
        writer.startField(7)
        writer.add(
            term: Array("ab".utf8),
            info: TermInfo(
                documentFrequency: 1, totalTermFrequency: 1, postingsOffset: 0, positionsOffset: 0,
                singleton: SingletonPosting(doc: 3, norm: 5, hasPositions: false)))
        writer.add(
            term: Array("ac".utf8),
            info: TermInfo(documentFrequency: 2, totalTermFrequency: 3, postingsOffset: 5, positionsOffset: 0))
        writer.finishField()
        try writer.finish(sync: false)
        let file = try IndexFile(path: path, kind: .termDictionary, segment: Fixture.segment)
        let expected: [UInt8] = [
            0x02, 0x01, 0x63, 0x01, 0x06, 0x05, 0x04, 0x01, 0x05, 0x00,  // block
            0x02, 0x61, 0x62, 0x0A, 0x02,  // sparse index
            0x01, 0x07, 0x02, 0x01, 0x02, 0x00, 0x0A, 0x05,  // directory
            0x0F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // directory offset
        ]
        #expect(Array(file.body) == expected)
    }

    @Test("sparse index entries stay 32 bytes: one per block is held in memory")
    func entrySize() {
        #expect(MemoryLayout<TermBlockEntry>.size == 32)
    }
}
