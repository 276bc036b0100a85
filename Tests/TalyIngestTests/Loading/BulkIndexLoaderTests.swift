import Foundation
import TalyIndex
import TalyTestSupport
import Testing

@testable import TalyIngest

@Suite("bulk loading JSON Lines into an index")
struct BulkIndexLoaderTests {
    @Test("good lines are indexed, bad ones reported by line number, blank ones skipped, commits counted")
    func load() throws {
        let dir = try TemporaryDirectory()
        let schema = try Schema(
            fields: [
                .init("id", .keyword(stored: true, multiValued: false)),
                .init("text", .text(analyzer: .standard, stored: true)), .init("n", .int64(stored: true)),
            ],
            idField: "id"
        )
        let writer = try IndexWriter(
            directory: dir.path("index"), schema: schema, options: .init(mergesInBackground: false))
        var input = ""
        for index in 0..<25 { input += #"{"id": "a\#(index)", "text": "line \#(index) \u00e9t\u00e9"}"# + "\n" }
        input += "\n   \n"  // blank lines: 26, 27
        input += #"{"id": "b", "n": 7, "text": "numbers take the general path"}"# + "\n"  // 28
        input += #"{"id": "c", "n": "seven"}"# + "\n"  // 29
        input += "not json\n"  // 30
        input += #"{"text": "no id"}"# + "\n"  // 31
        let path = dir.path("input.jsonl")
        try Data(input.utf8).write(to: URL(fileURLWithPath: path))

        var rejected: [Int: String] = [:]
        let loader = BulkIndexLoader(writer: writer, batchSize: 7, commitEvery: 10)
        let report = try loader.load(from: try #require(FileHandle(forReadingAtPath: path))) { line, problem in
            rejected[line] = problem
        }
        #expect(report.added == 26 && report.rejected == 3 && report.lines == 31)
        // Batches of 7 (never more than the commit interval): commits after 14 and after 26
        // accepted documents; the last batch's commit leaves nothing for a final one.
        #expect(report.commits == 2)
        #expect(rejected[29] == #"field "n": expected an integer, found a string"#)
        #expect(rejected[30]?.hasPrefix("malformed JSON") == true)
        #expect(rejected[31] == #"field "id": missing: every document needs an id"#)
        let reader = try IndexReader.open(directory: dir.path("index"))
        #expect(reader.documentCount == 26)
        #expect(try reader.document(withID: "a3")?["text"] == .text("line 3 été"))
        #expect(try reader.document(withID: "b")?["n"] == .int64(7))
    }
}
