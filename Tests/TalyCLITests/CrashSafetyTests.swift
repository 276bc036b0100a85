import Foundation
import TalyIndex
import TalyTestSupport
import Testing

/// Kills a real `taly index add` process with SIGKILL at random moments — while it analyzes,
/// flushes, merges or commits — and checks after each kill that the index opens and holds
/// exactly what its last commit promised.
@Suite("crash safety of index commits", .serialized)
struct CrashSafetyTests {
    static let documentCount = 4000
    static let commitEvery = 250
    static let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]

    static func title(_ index: Int) -> String {
        var random = SplitMix64(seed: UInt64(index))
        return (0..<Int.random(in: 2...6, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(
            separator: " ")
    }

    static func writeInput(to path: String) throws {
        var lines = ""
        for index in 0..<documentCount {
            let body = (0..<40).map { words[($0 * 7 + index) % words.count] }.joined(separator: " ")
            lines += #"{"id": "d\#(index)", "title": "\#(title(index))", "body": "\#(body) \#(index)"}"# + "\n"
        }
        try Data(lines.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Checks the index is readable and holds exactly the first L input documents, L a multiple
    /// of the commit interval (or all of them); returns L.
    static func verify(_ index: String, context: String) throws -> Int {
        let reader = try IndexReader.open(directory: index)
        var ids = Set<Int>()
        for segment in reader.segments {
            for document in 0..<segment.documentCount where segment.isLive(document) {
                let stored = try segment.storedFields(document)
                guard case .keyword(let id)? = stored["id"], let number = Int(id[0].dropFirst()) else {
                    Issue.record("\(context): a document without a valid id")
                    continue
                }
                #expect(stored["title"] == .text(title(number)), "\(context): d\(number) has the wrong title")
                #expect(ids.insert(number).inserted, "\(context): d\(number) is live twice")
            }
        }
        let count = ids.count
        #expect(ids == Set(0..<count), "\(context): the live documents are not a prefix of the input")
        #expect(
            count % commitEvery == 0 || count == documentCount, "\(context): \(count) documents is not a commit point")
        #expect(reader.documentCount == count)
        return count
    }

    @Test("SIGKILL at random moments never leaves an index that fails to open or holds a partial commit (seeded)")
    func killRepeatedly() throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        let input = dir.path("docs.jsonl")
        try Self.writeInput(to: input)
        let schema = dir.path("schema.json")
        try Data(
            #"{"id_field": "id", "fields": [{"name": "id", "type": "keyword"}, {"name": "title", "type": "text"}, {"name": "body", "type": "text", "stored": false}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: schema))
        let created = try TalyProcess.run(["index", "create", "--index", index, "--schema", schema])
        #expect(created.status == 0, "\(created.stderr)")

        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        var killedMidway = 0
        for round in 0..<(TestEnvironment.longTests ? 100 : 12) {
            let process = Process()
            process.executableURL = TalyProcess.executable
            process.arguments = [
                "index", "add", "--index", index, "--commit-every", String(Self.commitEvery), "--ram-mb", "1",
                "--batch-size", "50",
            ]
            process.standardInput = FileHandle(forReadingAtPath: input)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: Double.random(in: 0.02...1.2, using: &random))
            let wasRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if wasRunning { killedMidway += 1 }
            _ = try Self.verify(index, context: "seed \(seed), round \(round)")
            // The kernel released the dead writer's lock: a new writer opens at once.
            let manifest = try Manifest.load(from: index)
            _ = try IndexWriter(directory: index, schema: manifest.schema, options: .init(mergesInBackground: false))
        }
        #expect(killedMidway > 0, "seed \(seed): no kill landed while the writer was running")

        // Finally a load that runs to the end holds every document.
        let finished = Process()
        finished.executableURL = TalyProcess.executable
        finished.arguments = ["index", "add", "--index", index, "--commit-every", String(Self.commitEvery)]
        finished.standardInput = FileHandle(forReadingAtPath: input)
        finished.standardOutput = FileHandle.nullDevice
        finished.standardError = FileHandle.nullDevice
        try finished.run()
        finished.waitUntilExit()
        #expect(finished.terminationStatus == 0)
        #expect(try Self.verify(index, context: "after the full load") == Self.documentCount)
    }
}
