import TalyTestSupport
import Testing

@testable import TalyIndex

/// The bit-set union count over segments of several 4,096-document windows: lists that end a window in
/// the middle of a block, dense lists whose every block spans a window edge, single-document lists, with
/// exclusions and deletes. The small corpora of the other suites fit in one window.
@Suite("union counts across bit-set windows")
struct UnionCountTests {
    /// Word `w<i>` appears in a document with probability `densities[i]`.
    static let densities = [0.95, 0.6, 0.2, 0.03, 0.004, 0.0005]

    @Test("a disjunction of terms, minus excluded terms, counts what brute force counts")
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
            for round in 0..<40 {
                let vocabulary = Array(0...Self.densities.count)
                let should = Array(vocabulary.shuffled(using: &random).prefix(Int.random(in: 2...4, using: &random)))
                let rest = vocabulary.filter { !should.contains($0) }
                let mustNot = Array(rest.shuffled(using: &random).prefix(Int.random(in: 0...1, using: &random)))
                let query = Query.boolean(
                    must: [], should: should.map { .term(field: "body", text: "w\($0)") },
                    mustNot: mustNot.map { .term(field: "body", text: "w\($0)") }, filter: [], minimumShouldMatch: 1)
                let expected = wordSets.indices.filter { number in
                    !(deleting && deleted.contains(number)) && !wordSets[number].isDisjoint(with: should)
                        && wordSets[number].isDisjoint(with: mustNot)
                }.count
                #expect(
                    try searcher.count(query) == expected,
                    "seed \(seed) round \(round) deletes \(deleting) should \(should) mustNot \(mustNot)")
            }
        }
    }
}
