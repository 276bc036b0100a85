import Foundation
import Synchronization
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("readers beside a writer", .serialized)
struct ConcurrentReadersTests {
    @Test("readers opening snapshots while the writer commits and merges always see whole commits")
    func snapshotsDuringCommitsAndMerges() throws {
        let dir = try TemporaryDirectory()
        let policy = MergePolicy(
            mergeFactor: 3, floorDocuments: 10, maximumMergedDocuments: .max, deletesToReclaim: 0.3)
        let writer = try IndexWriter(
            directory: dir.path,
            schema: IndexWriterTests.schema,
            options: IndexWriterOptions(ramBudgetBytes: 1 << 20, mergePolicy: policy, mergesInBackground: true)
        )
        let done = Mutex(false)
        let outcomes = Mutex<(snapshots: Int, problems: [String])>((0, []))
        let directory = dir.path
        let readers = (0..<2).map { _ in
            Thread {
                while !done.withLock({ $0 }) {
                    do {
                        let reader = try IndexReader.open(directory: directory)
                        let count = reader.documentCount
                        var problem: String?
                        if count % 100 != 0 { problem = "a snapshot with \(count) documents: not a whole commit" }
                        if count > 0, try reader.document(withID: "doc-\(count - 1)") == nil {
                            problem = "doc-\(count - 1) missing from a snapshot of \(count)"
                        }
                        outcomes.withLock {
                            $0.snapshots += 1
                            if let problem { $0.problems.append(problem) }
                        }
                    } catch {
                        outcomes.withLock { $0.problems.append("open failed: \(error)") }
                    }
                }
            }
        }
        for thread in readers { thread.start() }
        var random = SplitMix64(seed: 11)
        for batch in 0..<40 {
            try writer.add((0..<100).map { IndexWriterTests.document(batch * 100 + $0, &random) })
            try writer.commit()
        }
        writer.waitForMerges()
        try writer.commit()
        done.withLock { $0 = true }
        while readers.contains(where: { $0.isExecuting }) { Thread.sleep(forTimeInterval: 0.01) }
        let (snapshots, problems) = outcomes.withLock { $0 }
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(snapshots > 10, "the readers opened \(snapshots) snapshots")
        #expect(try IndexReader.open(directory: dir.path).documentCount == 4000)
    }
}
