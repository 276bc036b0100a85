import TalyTestSupport
import Testing

@testable import TalyIndex

/// A compile keeps the analyzer it used last beside a dictionary of the others: a query whose leaves
/// alternate between fields of different analyzers must analyze each leaf with its own field's.
@Suite("a query over fields of different analyzers analyzes each leaf with its field's")
struct QueryCompilerAnalyzerTests {
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("plain", .text(analyzer: .standard, stored: false)),
            .init("stemmed", .text(analyzer: .english, stored: false)),
            .init("exact", .keyword(stored: false, multiValued: false)),
        ],
        idField: "id"
    )

    /// Inflections that the english analyzer folds together and the standard one keeps apart.
    static let words = ["run", "running", "runs", "program", "programs", "programming", "cat", "cats", "Cats"]

    @Test("the matches of an OR of leaves on mixed fields are the union of each leaf's matches alone")
    func mixedFieldsMatchTheUnionOfTheirLeaves() throws {
        let seed = SplitMix64.testSeed()
        print("QueryCompilerAnalyzerTests seed \(seed)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let writer = try IndexWriter(
            directory: directory.path, schema: Self.schema, options: .init(mergesInBackground: false))
        func text(_ random: inout SplitMix64) -> String {
            (0..<Int.random(in: 1...4, using: &random)).map { _ in Self.words.randomElement(using: &random)! }
                .joined(separator: " ")
        }
        var documents: [Document] = []
        for number in 0..<300 {
            var document = Document(["id": .keyword(["d\(number)"])])
            document["plain"] = .text(text(&random))
            document["stemmed"] = .text(text(&random))
            document["exact"] = .keyword([Self.words.randomElement(using: &random)!])
            documents.append(document)
        }
        #expect(try writer.add(documents).allSatisfy { $0 == nil })
        _ = try writer.commit()
        let searcher = IndexSearcher(reader: try IndexReader.open(directory: directory.path))
        let fields = ["plain", "stemmed", "exact"]
        for _ in 0..<200 {
            let leaves = (0..<Int.random(in: 2...6, using: &random)).map { _ in
                Query.term(
                    field: fields.randomElement(using: &random)!, text: Self.words.randomElement(using: &random)!)
            }
            var expected: Set<SearchFixtures.Address> = []
            for leaf in leaves {
                for hit in try searcher.search(leaf, limit: documents.count).hits {
                    expected.insert(SearchFixtures.Address(hit))
                }
            }
            let combined = try searcher.search(.any(leaves), limit: documents.count).hits
            #expect(Set(combined.map(SearchFixtures.Address.init)) == expected, "query \(leaves)")
            #expect(try searcher.count(.any(leaves)) == expected.count, "query \(leaves)")
        }
    }
}
