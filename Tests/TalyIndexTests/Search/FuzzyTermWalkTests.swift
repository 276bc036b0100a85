import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("fuzzy terms: the pruned dictionary walk finds exactly the terms within the distance")
struct FuzzyTermWalkTests {
    /// The Levenshtein distance of two scalar sequences by the textbook full matrix: the oracle.
    static func levenshtein(_ a: [UInt32], _ b: [UInt32]) -> Int {
        var previous = Array(0...b.count)
        for i in 1..<(a.count + 1) {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1..<(b.count + 1) {
                current[j] = min(previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), previous[j] + 1, current[j - 1] + 1)
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Meilisearch's typo count by the full matrix, the oracle for edits chosen by length:
    /// optimal string alignment (an adjacent swap is one edit), and every edit that changes the
    /// first scalar costs two.
    static func typos(_ a: [UInt32], _ b: [UInt32]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 1..<(a.count + 1) { d[i][0] = i + 1 }
        for j in 1..<(b.count + 1) { d[0][j] = j + 1 }
        for i in 1..<(a.count + 1) {
            for j in 1..<(b.count + 1) {
                let first = i == 1 && j == 1
                let substitution = a[i - 1] == b[j - 1] ? 0 : (first ? 2 : 1)
                d[i][j] = min(d[i - 1][j - 1] + substitution, d[i - 1][j] + 1, d[i][j - 1] + 1)
                if i >= 2 && j >= 2 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + (i == 2 && j == 2 ? 2 : 1))
                }
            }
        }
        return d[a.count][b.count]
    }

    /// The typos a word of `count` scalars may have: Meilisearch's 1 from 5, 2 from 9.
    static func allowedTypos(_ count: Int) -> Int { count >= 9 ? 2 : count >= 5 ? 1 : 0 }

    static func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }

    /// One, two and three byte scalars and a four byte one, few enough that words share prefixes
    /// and many lie within two edits of each other.
    static let alphabet = ["a", "b", "c", "d", "é", "ß", "中", "😀"]

    static func randomWord(maximumLength: Int, using random: inout SplitMix64) -> String {
        let length = Int.random(in: 1...maximumLength, using: &random)
        return (0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    @Test("keyword terms within 1 or 2 edits of random targets, over several segments, match brute force")
    func matchesBruteForce() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        for round in 0..<4 {
            let directory = try TemporaryDirectory()
            let vocabulary = Set((0..<150).map { _ in Self.randomWord(maximumLength: 7, using: &random) })
            let tags = (0..<400).map { _ in vocabulary.randomElement(using: &random)! }
            let segmentCount = Int.random(in: 1...3, using: &random)
            var batches = [[Document]](repeating: [], count: segmentCount)
            for (index, tag) in tags.enumerated() {
                batches[index % segmentCount].append(SearchFixtures.document("d\(index)", body: "x", tag: tag))
            }
            let searcher = IndexSearcher(reader: try SearchFixtures.index(in: directory, batches: batches))
            for _ in 0..<60 {
                // Half the targets are vocabulary words with an edit or two, half are random words.
                var target = Self.randomWord(maximumLength: 11, using: &random)
                if Bool.random(using: &random), var word = vocabulary.randomElement(using: &random).map(Array.init) {
                    let position = Int.random(in: 0...word.count, using: &random)
                    word.insert(Character(Self.alphabet.randomElement(using: &random)!), at: position)
                    if word.count > 1 && Bool.random(using: &random) { word.remove(at: 0) }
                    target = String(word)
                }
                let edits = Int.random(in: 1...2, using: &random)
                let expected = tags.filter { Self.levenshtein(Self.scalars($0), Self.scalars(target)) <= edits }.count
                let count = try searcher.count(.fuzzy(field: "tag", text: target, maximumEdits: edits))
                #expect(count == expected, "seed \(seed), round \(round): \(target)~\(edits)")
                // Edits chosen by length: typos as Meilisearch counts them.
                let allowed = Self.allowedTypos(Self.scalars(target).count)
                let expectedTypos = tags.filter { Self.typos(Self.scalars($0), Self.scalars(target)) <= allowed }.count
                let typoCount = try searcher.count(.fuzzy(field: "tag", text: target, maximumEdits: nil))
                #expect(typoCount == expectedTypos, "seed \(seed), round \(round): \(target)~ (\(allowed) typos)")
            }
        }
    }

    @Test("typos by length: a swap is one typo, a changed first letter two")
    func typoRules() throws {
        let directory = try TemporaryDirectory()
        let words = ["saturday", "satruday", "baturday", "aturday", "satuday", "sunday", "asturday"]
        let documents = words.enumerated().map { SearchFixtures.document("d\($0.offset)", body: "x", tag: $0.element) }
        let reader = try SearchFixtures.index(in: directory, batches: [documents])
        let searcher = IndexSearcher(reader: reader)
        let hits = try searcher.search(.fuzzy(field: "tag", text: "saturday", maximumEdits: nil), limit: 10).hits
        let matched = Set(try hits.map { hit in words[Int(try SearchFixtures.id(of: hit, in: reader).dropFirst())!] })
        // 8 letters allow one typo: the swap (satruday) and the deletion (satuday) are one each; a
        // changed (baturday), dropped (aturday) or swapped (asturday) first letter is two.
        #expect(matched == ["saturday", "satruday", "satuday"])
        #expect(try searcher.count(.fuzzy(field: "tag", text: "saturday", maximumEdits: 1)) == 4, "+ baturday")
        #expect(Self.typos(Self.scalars("saturday"), Self.scalars("satruday")) == 1, "the oracle itself")
        #expect(Self.typos(Self.scalars("saturday"), Self.scalars("asturday")) == 2, "the oracle itself")
    }

    @Test("invalid UTF-8 in a term counts byte by byte and never equals a real scalar")
    func decodesDamagedBytes() {
        let bytes: [UInt8] = [0x61, 0xC3, 0xA9, 0xE4, 0xB8, 0xAD, 0xF0, 0x9F, 0x98, 0x80, 0xFF, 0xC3]
        var decoded: [(UInt32, Int)] = []
        bytes.withUnsafeBytes { raw in
            var position = 0
            while position < raw.count {
                let scalar = FuzzyTermWalk.decodeScalar(raw, at: position)
                decoded.append(scalar)
                position += scalar.1
            }
        }
        let valid = Self.scalars("aé中😀").map { ($0, 0) }
        #expect(decoded.prefix(4).map(\.0) == valid.map(\.0))
        #expect(decoded.prefix(4).map(\.1) == [1, 2, 3, 4])
        #expect(decoded.dropFirst(4).map(\.1) == [1, 1], "0xFF and a truncated lead byte: one scalar each")
        #expect(decoded.dropFirst(4).allSatisfy { $0.0 > 0x10_FFFF })
    }
}
