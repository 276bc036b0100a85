import TalyTestSupport
import Testing

@testable import TalyIndex

/// The bit-set union count over segments of several 4,096-document windows: lists that end a window in
/// the middle of a block, dense lists whose every block spans a window edge, single-document lists, with
/// exclusions and deletes. Pairs and triples of lists of very different lengths count by inclusion–exclusion. The small corpora of
/// the other suites fit in one window.
@Suite("union counts across bit-set windows")
struct UnionCountTests {
    /// Word `w<i>` appears in a document with probability `densities[i]`.
    static let densities = [0.95, 0.6, 0.2, 0.03, 0.004, 0.0005]

    @Test("every pair and triple of terms, and random disjunctions minus excluded terms, count what brute force counts")
    func windows() throws {
        let seed = SplitMix64.testSeed()
        print("UnionCountTests seed \(seed)")
        var random = SplitMix64(seed: seed)
        let size = Int.random(in: 9_000...14_000, using: &random)
        var wordSets: [Set<Int>] = []
        var documents: [Document] = []
        for number in 0..<size {
            var words = Set(
                Self.densities.indices.filter { Double.random(in: 0..<1, using: &random) < Self.densities[$0] })
            if number == size / 2 { words.insert(Self.densities.count) }  // a one-document list
            // Two rare words that mostly come together: triples with the dense words whose three-way
            // intersection is not empty, within the inclusion–exclusion cost rule.
            let pair = Self.densities.count + 1
            if Double.random(in: 0..<1, using: &random) < 0.004 { words.formUnion([pair, pair + 1]) }
            if Double.random(in: 0..<1, using: &random) < 0.001 { words.insert(pair + 1) }
            wordSets.append(words)
            let body = words.isEmpty ? "filler" : words.sorted().map { "w\($0)" }.joined(separator: " ")
            documents.append(SearchFixtures.document("doc\(number)", body: body))
        }
        let deleted = Set((0..<size / 25).map { _ in Int.random(in: 0..<size, using: &random) })
        for deleting in [false, true] {
            let directory = try TemporaryDirectory()
            let reader = try SearchFixtures.index(
                in: directory, batches: [documents], deletes: deleting ? deleted.map { "doc\($0)" } : [])
            let searcher = IndexSearcher(reader: reader)
            let vocabulary = Array(0...Self.densities.count + 2)
            // Every pair and triple (each side of the inclusion–exclusion cost rule), then random
            // disjunctions of 2 to 4 terms, some minus an excluded term.
            var shapes: [(should: [Int], mustNot: [Int])] = []
            for first in vocabulary {
                for second in vocabulary where second > first {
                    shapes.append(([first, second], []))
                    for third in vocabulary where third > second { shapes.append(([first, second, third], [])) }
                }
            }
            for _ in 0..<40 {
                let should = Array(vocabulary.shuffled(using: &random).prefix(Int.random(in: 2...4, using: &random)))
                let rest = vocabulary.filter { !should.contains($0) }
                shapes.append(
                    (should, Array(rest.shuffled(using: &random).prefix(Int.random(in: 0...1, using: &random)))))
            }
            for (should, mustNot) in shapes {
                let query = Query.boolean(
                    must: [], should: should.map { .term(field: "body", text: "w\($0)") },
                    mustNot: mustNot.map { .term(field: "body", text: "w\($0)") }, filter: [], minimumShouldMatch: 1)
                let expected = wordSets.indices.filter { number in
                    !(deleting && deleted.contains(number)) && !wordSets[number].isDisjoint(with: should)
                        && wordSets[number].isDisjoint(with: mustNot)
                }.count
                #expect(
                    try searcher.count(query) == expected,
                    "seed \(seed) deletes \(deleting) should \(should) mustNot \(mustNot)")
            }
        }
    }
}
