import Foundation
import TalyStore
import TalyTestSupport
import Testing

/// `taly ingest` as a real process: exit statuses, the reject file, and a run killed with
/// SIGKILL then started again ending with the store of one uninterrupted run.
@Suite("taly ingest", .serialized)
struct IngestCommandTests {
    /// A data directory with tenant `acme` and content type `article` (body required, rating).
    static func prepare(_ data: String) throws {
        let created = try TalyProcess.run([
            "admin", "create-tenant", "--data-dir", data, "--name", "acme", "--admin-email", "o@acme.test",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let store = try Store(path: data + "/taly.sqlite")
        _ = try store.tenant(named: "acme").createContentType(
            name: "article", displayName: "Article",
            fields: [
                ContentFieldDefinition(name: "body", type: .text, required: true),
                ContentFieldDefinition(name: "rating", type: .number),
            ], by: .system)
    }

    /// The store's items as comparable rows, and how many outbox events it holds.
    static func contents(_ data: String) throws -> (items: [String], events: Int) {
        let store = try Store(path: data + "/taly.sqlite")
        let scope = try store.tenant(named: "acme")
        let type = try #require(try scope.contentType(named: "article"))
        var rows: [String] = []
        var cursor: ContentItemID?
        while true {
            let page = try scope.contentItems(of: type.id!, after: cursor, limit: 1000)
            guard let last = page.last else { break }
            rows += page.map { item in
                // Sorted: two equal dictionaries need not print their keys in the same order.
                let fields = item.fields.keys.sorted().map { "\($0)=\(item.fields[$0]!)" }.joined(separator: ";")
                return "\(item.slug)|\(item.title)|\(fields)|v\(item.version)"
            }
            cursor = last.id
        }
        var events = 0
        var position = OutboxEventID(0)
        while true {
            let page = try scope.outboxEvents(after: position, limit: 5000)
            guard let last = page.last else { break }
            events += page.count
            position = last.id!
        }
        return (rows.sorted(), events)
    }

    static func writeInput(_ path: String, count: Int) throws {
        var text = ""
        for index in 0..<count {
            if index % 97 == 5 {
                text += #"{"slug": "item-\#(index)", "title": "Item \#(index)", "rating": "bad"}"# + "\n"
            } else {
                text +=
                    #"{"slug": "item-\#(index)", "title": "Item \#(index)", "body": "body of \#(index)", "rating": \#(index % 10)}"#
                    + "\n"
            }
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("rejects go to FILE.rejects.jsonl with line and field; exit 2 unless --allow-rejects")
    func rejectsAndExitStatus() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        try Self.prepare(data)
        let input = dir.path("in.jsonl")
        try Data(
            """
            {"slug": "a", "title": "A", "body": "x"}
            {"slug": "b", "title": "B"}
            slug,title

            """.utf8
        ).write(to: URL(fileURLWithPath: input))
        let first = try TalyProcess.run([
            "ingest", "--data-dir", data, "--tenant", "acme", "--type", "article", input,
        ])
        #expect(first.status == 2, "\(first.stderr)")
        #expect(first.stdout.contains("1 accepted (1 created, 0 updated, 0 unchanged), 2 rejected"), "\(first.stdout)")
        let rejects = try String(contentsOfFile: input + ".rejects.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(rejects.count == 2)
        #expect(rejects.first?.contains(#""line":2,"field":"fields.body""#) == true, "\(rejects)")
        let again = try TalyProcess.run([
            "ingest", "--data-dir", data, "--tenant", "acme", "--type", "article", "--allow-rejects", input,
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("1 unchanged"), "\(again.stdout)")
        let missing = try TalyProcess.run(["ingest", "--data-dir", data, "--tenant", "acme", "--type", "nope", input])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no content type nope"), "\(missing.stderr)")
    }

    @Test("SIGKILL mid-run, then the same command again: the store equals one uninterrupted run (seeded)")
    func resumeAfterSIGKILL() throws {
        let seed = SplitMix64.testSeed()
        print("IngestCommandTests.resumeAfterSIGKILL seed \(seed)")
        var random = SplitMix64(seed: seed)
        let count = 30_000
        let dir = try TemporaryDirectory()
        let input = dir.path("in.jsonl")
        try Self.writeInput(input, count: count)

        let reference = dir.path("reference")
        try Self.prepare(reference)
        let whole = try TalyProcess.run([
            "ingest", "--data-dir", reference, "--tenant", "acme", "--type", "article", "--batch-size", "250",
            "--mode", "insert", "--allow-rejects", input,
        ])
        #expect(whole.status == 0, "\(whole.stderr)")
        let referenceRejects = try String(contentsOfFile: input + ".rejects.jsonl", encoding: .utf8)
        try FileManager.default.removeItem(atPath: input + ".rejects.jsonl")

        let data = dir.path("data")
        try Self.prepare(data)
        // Insert mode: a batch written twice would show as slug conflicts among the rejects.
        let arguments = [
            "ingest", "--data-dir", data, "--tenant", "acme", "--type", "article", "--batch-size", "250",
            "--mode", "insert", "--allow-rejects", input,
        ]
        let killAfter = Int(random.next() % UInt64(count / 2)) + 500
        let child = TalyProcess(arguments)
        try child.start()
        let store = try Store(path: data + "/taly.sqlite")
        let scope = try store.tenant(named: "acme")
        let type = try #require(try scope.contentType(named: "article"))
        let deadline = Date().addingTimeInterval(300)
        var seen = 0
        while child.process.isRunning && Date() < deadline {
            seen = try scope.contentItems(of: type.id!, after: ContentItemID(Int64(killAfter)), limit: 1).count
            if seen > 0 { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        child.signal(SIGKILL)
        let status = child.waitForExit()
        #expect(status == SIGKILL || child.process.terminationReason == .uncaughtSignal, "exit \(status)")
        #expect(seen > 0, "the run ended before the kill point \(killAfter): nothing was interrupted")
        let partial = try Self.contents(data)
        #expect(partial.items.count < count, "the kill came after the last commit")

        let resumed = try TalyProcess.run(arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming"), "\(resumed.stderr)")
        let expected = try Self.contents(reference)
        let actual = try Self.contents(data)
        // Compared as one value: a failing comparison of two 30,000-row arrays would diff them.
        #expect(actual.items.count == expected.items.count && actual.items == expected.items)
        // The resumed run's summary counts what the killed run committed too: the same counts.
        let counts = { (text: String) in
            text.replacingOccurrences(of: #"[0-9.]+ s, [0-9]+ records/s"#, with: "", options: .regularExpression)
        }
        #expect(counts(resumed.stdout) == counts(whole.stdout), "\(resumed.stdout) vs \(whole.stdout)")
        #expect(actual.events == expected.events)
        #expect(try String(contentsOfFile: input + ".rejects.jsonl", encoding: .utf8) == referenceRejects)
    }
}
