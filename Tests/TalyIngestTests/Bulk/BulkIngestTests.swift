import Foundation
import Synchronization
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

/// Collects what the pipeline reports, optionally failing a chosen batch to simulate a crash.
final class RecordingSink: BulkIngestSink {
    var results: [BulkRecordResult] = []
    var batches = 0
    let rejectFile: RejectFile?
    var failAtBatch: Int?

    init(rejectFile: RejectFile? = nil, failAtBatch: Int? = nil) {
        self.rejectFile = rejectFile
        self.failAtBatch = failAtBatch
    }

    struct Crash: Error {}

    func batchWillCommit(_ results: [BulkRecordResult]) throws -> Int64 {
        batches += 1
        let length = try rejectFile?.append(results) ?? 0
        if batches == failAtBatch { throw BulkIngestError.cannotWriteRejects(path: "test", reason: "simulated crash") }
        return length
    }

    func batchDidCommit(_ results: [BulkRecordResult], summary: BulkIngestSummary) {
        self.results += results
    }
}

/// Content items of one type as comparable rows: slug, title, fields, version.
func storedItems(_ scope: TenantScope, of type: ContentTypeRecord) throws -> [String] {
    var rows: [String] = []
    var cursor: ContentItemID?
    while true {
        let page = try scope.contentItems(of: type.id!, after: cursor, limit: 500)
        guard let last = page.last else { break }
        for item in page {
            let fields = item.fields.keys.sorted().map { "\($0)=\(item.fields[$0]!)" }.joined(separator: ";")
            rows.append("\(item.slug)|\(item.title)|\(fields)|v\(item.version)")
        }
        cursor = last.id
    }
    return rows.sorted()
}

func runIngest(
    _ fixture: IndexSyncFixture, bytes: [UInt8], mode: BulkWriteMode = .upsert, format: BulkInputFormat = .auto,
    batchSize: Int = 3, key: String? = nil, sink: RecordingSink = RecordingSink()
) throws(BulkIngestError) -> BulkIngestSummary {
    let path = fixture.directory.path("input-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    let pipeline = BulkIngestPipeline(
        scope: fixture.acme, target: .content(fixture.article),
        options: .init(mode: mode, format: format, batchSize: batchSize, parallelism: 2))
    return try pipeline.run(
        try DecompressingSource(FileDescriptorSource(descriptor: descriptor)), checkpointKey: key, sink: sink)
}

@Suite("bulk ingest pipeline")
struct BulkIngestTests {
    static let jsonLines = """
        {"slug": "alpha", "title": "Alpha", "body": "first body", "category": "news", "tags": ["a", "b"]}
        {"slug": "beta", "title": "Beta", "body": "second", "rating": 4.5}

        {"slug": "gamma", "title": "Gamma", "rating": 3}
        {"slug": "delta", "title": "Delta", "body": "x", "rating": "high"}
        not json at all
        {"slug": "Bad Slug", "title": "Eps", "body": "y"}
        {"slug": "zeta", "title": "Zeta", "body": "z\\u00e9", "featured": true, "event_date": "2025-06-01"}
        """

    @Test("JSON Lines: valid records are written, invalid ones rejected with their line and the field at fault")
    func jsonLinesWithRejects() throws {
        let fixture = try IndexSyncFixture()
        let sink = RecordingSink()
        let summary = try runIngest(fixture, bytes: Array(Self.jsonLines.utf8), sink: sink)
        #expect(summary.created == 3)
        #expect(summary.rejected == 4)
        #expect(sink.results.map(\.line) == [1, 2, 4, 5, 6, 7, 8])
        let rejected = sink.results.compactMap { result -> String? in
            guard case .rejected(let field, _) = result.outcome else { return nil }
            return "\(result.line):\(field)"
        }
        #expect(rejected == ["4:fields.body", "5:fields.rating", "6:record", "7:slug"])
        let items = try storedItems(fixture.acme, of: fixture.article)
        #expect(items.map { $0.split(separator: "|")[0] } == ["alpha", "beta", "zeta"])
        #expect(items.contains { $0.hasPrefix("zeta|Zeta|body=string(\"zé\")") })
    }

    @Test("JSON arrays, CSV, gzip and zstd input give the same store contents as JSON Lines")
    func formatsAgree() throws {
        let records = [
            #"{"slug": "alpha", "title": "Alpha, the first", "body": "line one\nline two", "tags": ["a", "b"], "rating": 2}"#,
            #"{"slug": "beta", "title": "Beta \"quoted\"", "body": "second", "featured": false}"#,
        ]
        let expected: [String]
        do {
            let fixture = try IndexSyncFixture()
            _ = try runIngest(fixture, bytes: Array(records.joined(separator: "\n").utf8))
            expected = try storedItems(fixture.acme, of: fixture.article)
            #expect(expected.count == 2)
        }
        let array = "[\n  " + records.joined(separator: ",\n  ") + "\n]\n"
        let csv = #"""
            slug,title,body,tags,rating,featured
            alpha,"Alpha, the first","line one
            line two",a|b,2,
            beta,"Beta ""quoted""",second,,,false

            """#
        let jsonl = Array(records.joined(separator: "\n").utf8)
        let inputs: [(String, [UInt8])] = [
            ("array", Array(array.utf8)), ("csv", Array(csv.utf8)),
            ("gzip", try compress(jsonl, with: "gzip")), ("zstd", try compress(jsonl, with: "zstd")),
            ("gzip csv", try compress(Array(csv.utf8), with: "gzip")),
        ]
        for (name, bytes) in inputs {
            let fixture = try IndexSyncFixture()
            let sink = RecordingSink()
            let summary = try runIngest(fixture, bytes: bytes, sink: sink)
            #expect(summary.rejected == 0, "\(name): \(sink.results)")
            #expect(try storedItems(fixture.acme, of: fixture.article) == expected, "\(name)")
        }
    }

    @Test("CSV cells are typed by the content type: a bad number names its field and line")
    func csvTyping() throws {
        let fixture = try IndexSyncFixture()
        let sink = RecordingSink()
        let csv = "slug,title,body,rating,featured\na,A,x,1.5,true\nb,B,y,lots,false\nc,C,z,2,maybe\nd,D\n"
        let summary = try runIngest(fixture, bytes: Array(csv.utf8), sink: sink)
        #expect(summary.created == 1)
        let rejected = sink.results.compactMap { result -> String? in
            guard case .rejected(let field, _) = result.outcome else { return nil }
            return "\(result.line):\(field)"
        }
        #expect(rejected == ["3:fields.rating", "4:fields.featured", "5:record"])
        #expect(throws: BulkIngestError.self) {
            _ = try runIngest(fixture, bytes: Array("slug,title,nope\na,A,x\n".utf8))
        }
    }

    @Test(
        "insert refuses existing slugs; upsert merges fields; replace drops missing ones; equal records are unchanged")
    func modes() throws {
        let fixture = try IndexSyncFixture()
        _ = try runIngest(
            fixture, bytes: Array(#"{"slug": "a", "title": "A", "body": "x", "category": "news"}"#.utf8))
        let sink = RecordingSink()
        let insert = try runIngest(
            fixture, bytes: Array(#"{"slug": "a", "title": "A2", "body": "y"}"#.utf8), mode: .insert, sink: sink)
        #expect(insert.rejected == 1)
        guard case .rejected(let field, let reason) = sink.results.first?.outcome else {
            Issue.record("expected a conflict")
            return
        }
        #expect(field == "slug")
        #expect(reason.contains("already has slug \"a\""))

        let upsert = try runIngest(fixture, bytes: Array(#"{"slug": "a", "title": "A2", "body": "y"}"#.utf8))
        #expect(upsert.updated == 1)
        #expect(
            try storedItems(fixture.acme, of: fixture.article) == [#"a|A2|body=string("y");category=string("news")|v2"#]
        )

        let same = try runIngest(fixture, bytes: Array(#"{"slug": "a", "title": "A2", "body": "y"}"#.utf8))
        #expect(same.unchanged == 1)

        let replace = try runIngest(
            fixture, bytes: Array(#"{"slug": "a", "title": "A2", "body": "y"}"#.utf8), mode: .replace)
        #expect(replace.updated == 1)
        #expect(try storedItems(fixture.acme, of: fixture.article) == [#"a|A2|body=string("y")|v3"#])
        let revisions = try fixture.acme.contentRevisions(
            of: try fixture.acme.contentItem(of: fixture.article.id!, slug: "a")!.id!)
        #expect(revisions.count == 3)
    }

    @Test("a run that fails mid-way and is started again ends with the store of one uninterrupted run (seeded)")
    func resumeAfterFailure() throws {
        let seed = SplitMix64.testSeed()
        print("resumeAfterFailure seed \(seed)")
        var random = SplitMix64(seed: seed)
        var lines: [String] = []
        for index in 0..<200 {
            if random.next() % 10 == 0 {
                lines.append(#"{"slug": "r\#(index)", "title": "Broken \#(index)"}"#)
            } else {
                lines.append(
                    #"{"slug": "r\#(index)", "title": "Record \#(index)", "body": "b\#(random.next() % 1000)"}"#)
            }
        }
        let bytes = Array(lines.joined(separator: "\n").utf8)
        let reference = try IndexSyncFixture()
        let whole = try runIngest(reference, bytes: bytes, batchSize: 16)

        let fixture = try IndexSyncFixture()
        let rejects = fixture.directory.path("in.rejects.jsonl")
        let failAt = Int(random.next() % 12) + 1
        #expect(throws: BulkIngestError.self) {
            _ = try runIngest(
                fixture, bytes: bytes, batchSize: 16, key: "k",
                sink: RecordingSink(rejectFile: try RejectFile(path: rejects, truncatingTo: 0), failAtBatch: failAt))
        }
        // A failure in the first batch commits nothing, so it leaves no checkpoint either.
        let checkpoint = try fixture.acme.ingestCheckpoint(inputKey: "k")
        #expect((checkpoint == nil) == (failAt == 1))
        let committed = checkpoint?.recordsDone ?? 0
        #expect(committed == Int64(16 * (failAt - 1)))
        let resumed = try runIngest(
            fixture, bytes: bytes, batchSize: 16, key: "k",
            sink: RecordingSink(
                rejectFile: try RejectFile(path: rejects, truncatingTo: checkpoint?.rejectsBytes ?? 0)))
        #expect(resumed.resumedAt == committed)
        #expect(resumed.created == whole.created)
        #expect(resumed.rejected == whole.rejected)
        #expect(
            try storedItems(fixture.acme, of: fixture.article) == storedItems(reference.acme, of: reference.article))
        #expect(try fixture.acme.ingestCheckpoint(inputKey: "k") == nil)
        let rejectLines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        #expect(rejectLines.count == Int(whole.rejected))
        #expect(Set(rejectLines).count == rejectLines.count)
    }

    @Test("parser threads are named taly-parse and run below the writer's priority by parserNiceness")
    func parserThreadsYield() throws {
        let fixture = try IndexSyncFixture()
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // Not the default: other tests' pipelines, at the default, may run meanwhile.
        let niceness: Int32 = 7
        // Threads inherit their creator's nice value: the pipeline's start from this thread's.
        let base = try #require(Self.nice(statPath: "/proc/thread-self/stat"))
        let expected = min(base + niceness, 19)
        let records = (0..<600).map { #"{"slug": "s-\#($0)", "title": "T\#($0)", "body": "b"}"# + "\n" }
        // The nice values of every parser thread at the last look (other tests' included).
        let parsersSeen = Mutex<[Int32]>([])
        let feeder = Thread {
            Self.write(records[..<300].joined(), to: writeEnd)
            // The parsers start with the first chunk (256 records); wait for them, at most 30 s.
            let deadline = Date().addingTimeInterval(30)
            var seen: [Int32] = []
            while seen.filter({ $0 == expected }).count < 2 && Date() < deadline {
                usleep(10_000)
                seen = Self.niceValues(ofThreadsNamed: "taly-parse")
            }
            parsersSeen.withLock { $0 = seen }
            Self.write(records[300...].joined(), to: writeEnd)
            close(writeEnd)
        }
        feeder.start()
        defer { close(readEnd) }
        let pipeline = BulkIngestPipeline(
            scope: fixture.acme, target: .content(fixture.article),
            options: .init(batchSize: 100, parallelism: 2, parserNiceness: niceness))
        let summary = try pipeline.run(
            try DecompressingSource(FileDescriptorSource(descriptor: readEnd)), checkpointKey: nil,
            sink: RecordingSink())
        #expect(summary.created == 600)
        let seen = parsersSeen.withLock { $0 }
        #expect(
            seen.filter { $0 == expected }.count >= 2,
            "no two parser threads at nice \(expected) (this thread's \(base) + \(niceness)); parsers seen: \(seen)")
    }

    private static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            written += count
        }
    }

    /// The nice value of each of this process's threads named `name`.
    private static func niceValues(ofThreadsNamed name: String) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                comm.trimmingCharacters(in: .newlines) == name
            else { return nil }
            return nice(statPath: "/proc/self/task/\(task)/stat")
        }
    }

    /// The nice value in a `/proc/.../stat` file: its 19th field, the 17th after the name's `)`.
    private static func nice(statPath: String) -> Int32? {
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8),
            let nameEnd = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        return fields.count > 16 ? Int32(fields[16]) : nil
    }

    @Test("products: the API's JSON shape, SKU conflicts in insert mode, attributes merged by upsert")
    func products() throws {
        let fixture = try IndexSyncFixture()
        let path = fixture.directory.path("products.jsonl")
        func load(_ text: String, mode: BulkWriteMode) throws -> (BulkIngestSummary, RecordingSink) {
            FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            let descriptor = open(path, O_RDONLY)
            defer { close(descriptor) }
            let sink = RecordingSink()
            let pipeline = BulkIngestPipeline(
                scope: fixture.acme, target: .products, options: .init(mode: mode, batchSize: 2, parallelism: 2))
            let summary = try pipeline.run(
                try DecompressingSource(FileDescriptorSource(descriptor: descriptor)), checkpointKey: nil, sink: sink)
            return (summary, sink)
        }
        let (first, firstSink) = try load(
            """
            {"sku": "P-1", "title": "Lamp", "price": {"amount": 1999, "currency": "EUR"}, "attributes": {"color": "red", "watts": 40}}
            {"sku": "P-2", "title": "Desk", "price": {"amount": 10, "currency": "euro"}}
            {"sku": "P-3", "title": "Chair", "price": {"amount": 5000, "currency": "EUR"}, "colour": "blue"}
            {"sku": "P-4", "title": "Rug", "price": {"amount": 1, "currency": "EUR"}, "attributes": {"size": {"w": 2}}}
            {"sku": "P-5", "title": "Mat", "price": {"amount": 1, "currency": "EUR"}, "attributes": {"tags": [["x"]]}}
            sku,title
            """, mode: .insert)
        #expect(first.created == 1)
        let fields = firstSink.results.compactMap { result -> String? in
            guard case .rejected(let field, _) = result.outcome else { return nil }
            return field
        }
        #expect(fields == ["price.currency", "colour", "attributes.size", "attributes.tags", "record"])
        let (again, againSink) = try load(
            #"{"sku": "P-1", "title": "Lamp", "price": {"amount": 1999, "currency": "EUR"}}"#, mode: .insert)
        #expect(again.rejected == 1)
        #expect(
            againSink.results.first?.outcome
                == .rejected(
                    field: "sku",
                    reason: againSink.results.first.map {
                        if case .rejected(_, let reason) = $0.outcome { reason } else { "" }
                    } ?? ""))
        let (upsert, _) = try load(
            #"{"sku": "P-1", "title": "Lamp", "price": {"amount": 2499, "currency": "EUR"}, "attributes": {"watts": 60}}"#,
            mode: .upsert)
        #expect(upsert.updated == 1)
        let lamp = try #require(try fixture.acme.product(sku: "P-1"))
        #expect(lamp.draft.attributes == ["color": .string("red"), "watts": .integer(60)])
        #expect(lamp.price.amount == 2499)
        #expect(lamp.version == 2)
    }
}

/// `bytes` through the system's `gzip` or `zstd` command.
func compress(_ bytes: [UInt8], with tool: String) throws -> [UInt8] {
    let directory = try TemporaryDirectory()
    let path = directory.path("data")
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
    process.arguments = tool == "zstd" ? ["-q", "-c", path] : ["-c", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(output)
}
