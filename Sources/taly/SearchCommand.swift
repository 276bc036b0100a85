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
    @Flag(
        help: """
            Print the search's estimated cost (what the API places searches by) and its time, \
            and the best of 9 runs of each, instead of the hits.
            """)
    var cost = false

    func run() throws {
        guard top >= 1 else { fail("--top must be at least 1") }
        let reader = orFail { () throws(IndexError) in try IndexReader.open(directory: index) }
        let parsed = orFail { () throws(QueryParseError) in
            try QueryParser(knownFields: Set(reader.schema.fields.map(\.name))).parseStrict(query)
        }
        let searcher = IndexSearcher(reader: reader)
        if cost {
            printCost(SearchRequest(query: parsed, limit: top, countTotal: true), searcher: searcher)
            return
        }
        let hits = orFail { () throws(SearchError) in try searcher.search(parsed, limit: top, countTotal: true) }
        var highlighter = orFail { () throws(SearchError) in try Highlighter(searcher: searcher, query: parsed) }
        if !json { print("\(hits.totalCount ?? hits.hits.count) matching documents") }
        for (rank, hit) in hits.hits.enumerated() {
            let segment = reader.segments[hit.segment]
            let stored = orFail { () throws(IndexError) in try segment.storedFields(hit.document) }
            var id = ""
            if case .keyword(let values)? = stored[reader.schema.idField] { id = values.first ?? "" }
            let fields = orFail { () throws(SearchError) in try highlighter.highlight(hit) }
            let snippet = Self.snippet(fields)
            if json {
                let highlights: [[String: Any]] = fields.map { field in
                    [
                        "field": field.field, "snippets": field.snippets,
                        "offsets": field.matches.map { [$0.lowerBound, $0.upperBound] },
                    ]
                }
                let object: [String: Any] = [
                    "rank": rank + 1, "id": id, "score": Double(hit.score), "snippet": snippet,
                    "highlights": highlights,
                ]
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(String(format: "%3d. %@  %.4f  %@", rank + 1, id, Double(hit.score), snippet))
            }
        }
    }

    /// `cost 1234 time_us 56 estimate_us 3` (`cost expands` for a prefix or fuzzy query): the
    /// estimate, and the best of 9 runs of the search and of the estimate.
    func printCost(_ request: SearchRequest, searcher: IndexSearcher) {
        var estimate = 0
        var bestEstimate = Duration.seconds(3600)
        var bestSearch = Duration.seconds(3600)
        for _ in 0..<9 {
            var started = ContinuousClock.now
            estimate = orFail { () throws(SearchError) in try searcher.estimatedCost(request) }
            bestEstimate = min(bestEstimate, ContinuousClock.now - started)
            started = ContinuousClock.now
            _ = orFail { () throws(SearchError) in try searcher.search(request) }
            bestSearch = min(bestSearch, ContinuousClock.now - started)
        }
        func microseconds(_ duration: Duration) -> Int64 {
            duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        }
        print(
            "cost \(estimate == .max ? "expands" : String(estimate)) time_us \(microseconds(bestSearch))"
                + " estimate_us \(microseconds(bestEstimate))")
    }

    /// The snippet of the first stored text field with a match (else the first one's leading text), on one line.
    static func snippet(_ fields: [HighlightedField]) -> String {
        guard let field = fields.first(where: { !$0.matches.isEmpty }) ?? fields.first else { return "" }
        return field.snippets.joined(separator: " ").split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
