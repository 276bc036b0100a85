import ArgumentParser
import Foundation
import TalyIndex
import TalyIngest

/// `taly bench-game …`: the engine protocol of the search-benchmark-game (the Tantivy project's
/// public benchmark), so Taly is measured the way the other engines are.
struct BenchGameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-game",
        abstract: "The search-benchmark-game engine protocol.",
        subcommands: [Index.self, Serve.self]
    )

    /// The benchmark's index: one text field (standard analyzer, no stemming, no stop words)
    /// and the id, nothing else stored. Append-only, as the peers' indexes are: Lucene's stores
    /// the id without indexing it, Tantivy's keeps a document ordinal and the ids outside.
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("text", .text(analyzer: .standard, stored: false)),
        ],
        idField: "id",
        idMode: .appendOnly
    )

    struct Index: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build an index in DIR from JSON Lines {\"id\": ..., \"text\": ...} on standard input.",
            discussion:
                "Commits, waits for merges, commits again and exits 0. Bad lines are reported on standard error."
        )
        @Argument(help: "The (empty or new) index directory.")
        var directory: String
        @Option(help: "Indexing threads.")
        var threads: Int = 2
        @Option(help: "RAM budget for buffered documents, in MiB.")
        var ramMb: Int = 256

        func run() throws {
            guard threads >= 1, ramMb >= 1 else { fail("--threads and --ram-mb must be positive") }
            let options = IndexWriterOptions(ramBudgetBytes: ramMb << 20, indexingThreads: threads)
            let writer = orFail { () throws(IndexError) in
                try IndexWriter(directory: directory, schema: BenchGameCommand.schema, options: options)
            }
            let loader = BulkIndexLoader(writer: writer, batchSize: 4096)
            let report = try loader.load(from: FileHandle.standardInput) { line, problem in
                printError("line \(line): \(problem)")
            }
            writer.waitForMerges()
            orFail { () throws(IndexError) in try writer.commit() }
            printError("indexed \(report.added) documents, rejected \(report.rejected)")
        }
    }
}
