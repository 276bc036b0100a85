import ArgumentParser
import Foundation
import TalyIndex
import TalyIngest

/// `taly index …`: build and inspect a standalone search index directory; rebuild and verify a
/// tenant's indexes in the data directory.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Create, load, merge and inspect a search index directory.",
        subcommands: [
            Create.self, Add.self, Delete.self, Merge.self, Stats.self, Get.self, Rebuild.self, Verify.self,
        ]
    )

    struct Location: ParsableArguments {
        @Option(help: "The index directory.")
        var index: String
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty index from a schema file.",
            discussion: """
                The schema is JSON: {"id_field": "id", "fields": [{"name": "id", "type": "keyword"}, \
                {"name": "title", "type": "text", "analyzer": "english", "stored": true}, ...]}. \
                Types: text, keyword, int64, double, date; analyzers: standard, keyword, english.
                """
        )
        @OptionGroup var location: Location
        @Option(help: "The schema definition (JSON file).")
        var schema: String

        func run() throws {
            let definition = try readFile(schema)
            let parsed = orFail { () throws(SchemaDefinitionError) in try Schema(definition: definition) }
            if FileSystem.exists(location.index + "/" + Manifest.fileName) {
                fail("\(location.index) already holds an index")
            }
            _ = orFail { () throws(IndexError) in try IndexWriter(directory: location.index, schema: parsed) }
            print("created \(location.index) with \(parsed.fields.count) fields")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add (or replace, by id) JSON Lines documents read from standard input.",
            discussion: "Bad lines are reported on standard error with their line number and skipped."
        )
        @OptionGroup var location: Location
        @Option(help: "Commit after this many documents (default: only at the end).")
        var commitEvery: Int?
        @Option(help: "Indexing threads.")
        var threads: Int = 1
        @Option(help: "RAM budget for buffered documents, in MiB.")
        var ramMb: Int = 256
        @Option(help: "Documents per batch.")
        var batchSize: Int = 1000

        func run() throws {
            guard threads >= 1, ramMb >= 1, batchSize >= 1, (commitEvery ?? 1) >= 1 else {
                fail("--threads, --ram-mb, --batch-size and --commit-every must be positive")
            }
            let manifest = orFail { () throws(IndexError) in try Manifest.load(from: location.index) }
            let options = IndexWriterOptions(ramBudgetBytes: ramMb << 20, indexingThreads: threads)
            let writer = orFail { () throws(IndexError) in
                try IndexWriter(directory: location.index, schema: manifest.schema, options: options)
            }
            let progress = ProgressLine(unit: "docs")
            let loader = BulkIndexLoader(writer: writer, batchSize: batchSize, commitEvery: commitEvery)
            let report = try loader.load(
                from: FileHandle.standardInput,
                rejected: { line, problem in printError("line \(line): \(problem)") },
                progress: { report in progress.update(count: report.added, bytes: report.bytes) }
            )
            writer.waitForMerges()
            orFail { () throws(IndexError) in try writer.commit() }  // publishes the merges
            progress.finish(count: report.added, bytes: report.bytes)
            print("added \(report.added) documents, rejected \(report.rejected), \(report.commits) commits")
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Merge the index down to a number of segments.")
        @OptionGroup var location: Location
        @Option(help: "Segments to keep.")
        var maxSegments: Int = 1

        func run() throws {
            guard maxSegments >= 1 else { fail("--max-segments must be at least 1") }
            let manifest = orFail { () throws(IndexError) in try Manifest.load(from: location.index) }
            let writer = orFail { () throws(IndexError) in
                try IndexWriter(directory: location.index, schema: manifest.schema)
            }
            orFail { () throws(IndexError) in try writer.forceMerge(maximumSegments: maxSegments) }
            print(
                "merged to \(orFail { () throws(IndexError) in try IndexReader.open(directory: location.index) }.segments.count) segments"
            )
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the committed segments and document counts.")
        @OptionGroup var location: Location

        func run() throws {
            let reader = orFail { () throws(IndexError) in try IndexReader.open(directory: location.index) }
            print(
                "generation \(reader.manifest.generation), \(reader.documentCount) live documents, \(reader.segments.count) segments"
            )
            for segment in reader.segments {
                print(
                    "  \(segment.id)  \(segment.documentCount) documents, \(segment.documentCount - segment.liveCount) deleted"
                )
            }
            for (key, value) in reader.manifest.userData.sorted(by: { $0.key < $1.key }) {
                print("  \(key) = \(value)")
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the stored fields of one document as JSON.")
        @OptionGroup var location: Location
        @Option(help: "The document's id.")
        var id: String

        func run() throws {
            let reader = orFail { () throws(IndexError) in try IndexReader.open(directory: location.index) }
            guard let document = orFail({ () throws(IndexError) in try reader.document(withID: id) }) else {
                fail("no document with id \(id)")
            }
            print(document.jsonText())
        }
    }
}

/// Reads a whole small input file (a schema, a config), failing with one line naming it.
func readFile(_ path: String) throws -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        fail("cannot read \(path): \((error as NSError).localizedDescription)")
    }
}

/// Runs `body`, turning its typed error into the one-line failure every command prints.
@discardableResult
func orFail<Result, Failure: Error & CustomStringConvertible>(_ body: () throws(Failure) -> Result) -> Result {
    do {
        return try body()
    } catch {
        fail(error.description)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension IndexCommand {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete documents by id and commit.")
        @OptionGroup var location: Location
        @Argument(help: "The ids to delete.")
        var ids: [String]

        func run() throws {
            let manifest = orFail { () throws(IndexError) in try Manifest.load(from: location.index) }
            guard manifest.schema.idMode == .unique else {
                fail(IndexError.idsNotIndexed(operation: "deleting").description)
            }
            let writer = orFail { () throws(IndexError) in
                try IndexWriter(directory: location.index, schema: manifest.schema)
            }
            for id in ids { writer.delete(id: id) }
            orFail { () throws(IndexError) in try writer.commit() }
            print("deleted \(ids.count) ids")
        }
    }
}
