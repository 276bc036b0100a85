import ArgumentParser
import Foundation
import TalyIndex

/// `taly search`: ranked hits from an index, for people.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an index and print the ranked hits.",
        discussion: """
            The query uses Lucene syntax: terms, "phrases"~slop, +must, -must_not, AND/OR/NOT, \
            (groups), field:term, prefix*, fuzzy~, term^boost. A syntax error names its position.
            """
    )
    @Option(help: "The index directory.")
    var index: String
    @Option(help: "The query.")
    var query: String
    @Option(help: "How many hits to print.")
    var top: Int = 10
    @Flag(help: "One JSON object per hit instead of text lines.")
    var json = false

    func run() throws {
        guard top >= 1 else { fail("--top must be at least 1") }
        let reader = orFail { () throws(IndexError) in try IndexReader.open(directory: index) }
        let parsed = orFail { () throws(QueryParseError) in
            try QueryParser(knownFields: Set(reader.schema.fields.map(\.name))).parseStrict(query)
        }
        let searcher = IndexSearcher(reader: reader)
        let hits = orFail { () throws(SearchError) in try searcher.search(parsed, limit: top, countTotal: true) }
        if !json { print("\(hits.totalCount ?? hits.hits.count) matching documents") }
        for (rank, hit) in hits.hits.enumerated() {
            let segment = reader.segments[hit.segment]
            let stored = orFail { () throws(IndexError) in try segment.storedFields(hit.document) }
            var id = ""
            if case .keyword(let values)? = stored[reader.schema.idField] { id = values.first ?? "" }
            let excerpt = Self.excerpt(stored, schema: reader.schema)
            if json {
                let object: [String: Any] = [
                    "rank": rank + 1, "id": id, "score": Double(hit.score), "excerpt": excerpt,
                ]
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(String(format: "%3d. %@  %.4f  %@", rank + 1, id, Double(hit.score), excerpt))
            }
        }
    }

    /// The start of the first stored text field on one line (highlighted snippets come with the
    /// highlighter).
    static func excerpt(_ document: Document, schema: Schema) -> String {
        for field in schema.fields {
            guard case .text = field.type, case .text(let text)? = document[field.name] else { continue }
            let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return line.count > 120 ? String(line.prefix(117)) + "..." : line
        }
        return ""
    }
}
