import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("log-size merge policy")
struct MergePolicyTests {
    let policy = MergePolicy(
        mergeFactor: 4, floorDocuments: 100, maximumMergedDocuments: 1_000_000, deletesToReclaim: 0.5)

    func segment(_ n: UInt64, _ documents: Int, deleted: Int = 0) -> MergePolicy.Candidate {
        .init(id: SegmentID(high: 0, low: n), documentCount: documents, deletedCount: deleted)
    }

    @Test("fewer segments per level than the merge factor: nothing to do")
    func belowFactor() {
        let segments = [segment(1, 50), segment(2, 80), segment(3, 10), segment(4, 5000)]
        #expect(policy.merges(for: segments, excluding: []).isEmpty)
    }

    @Test("a full level merges its oldest segments, tiny ones counted at the floor")
    func fullLevel() {
        let segments = (1...9).map { segment(UInt64($0), $0 * 10) }
        let merges = policy.merges(for: segments, excluding: [])
        #expect(
            merges == [
                (1...4).map { SegmentID(high: 0, low: UInt64($0)) },
                (5...8).map { SegmentID(high: 0, low: UInt64($0)) },
            ])
    }

    @Test("segments already merging are left out; levels do not mix")
    func excludingAndLevels() {
        let segments = [
            segment(1, 100), segment(2, 100), segment(3, 100), segment(4, 100), segment(5, 100), segment(6, 450),
        ]
        let merges = policy.merges(for: segments, excluding: [SegmentID(high: 0, low: 1)])
        #expect(merges == [[2, 3, 4, 5].map { SegmentID(high: 0, low: $0) }])
    }

    @Test("a segment at the cap is never merged, but one with many deletes is rewritten")
    func capAndDeletes() {
        let segments = [segment(1, 2_000_000), segment(2, 1000, deleted: 600), segment(3, 1000, deleted: 10)]
        #expect(policy.merges(for: segments, excluding: []) == [[SegmentID(high: 0, low: 2)]])
    }

    @Test("repeated flushing keeps the segment count logarithmic (simulation, seeded)")
    func logarithmic() {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        var segments: [MergePolicy.Candidate] = []
        var next: UInt64 = 0
        var total = 0
        for _ in 0..<2000 {
            next += 1
            let size = Int.random(in: 50...150, using: &random)
            total += size
            segments.append(segment(next, size))
            while case let merges = policy.merges(for: segments, excluding: []), !merges.isEmpty {
                for merge in merges {
                    let members = segments.filter { merge.contains($0.id) }
                    segments.removeAll { merge.contains($0.id) }
                    next += 1
                    segments.append(segment(next, members.reduce(0) { $0 + $1.liveCount }))
                }
            }
        }
        #expect(segments.reduce(0) { $0 + $1.liveCount } == total, "seed \(seed)")
        // At most mergeFactor − 1 segments per level, and about log4(total/100) + 1 levels.
        #expect(segments.count <= 3 * 7, "seed \(seed): \(segments.count) segments")
    }
}
