import Foundation

/// Chooses which segments to merge: a log-size (tiered) policy in the manner of Lucene's
/// `LogMergePolicy`. Segments are sorted into levels by the logarithm of their live document
/// count in base `mergeFactor`; whenever a level holds `mergeFactor` segments that no merge is
/// already working on, they are merged into one segment of the next level. The number of
/// segments therefore stays logarithmic in the index size, and each document is rewritten about
/// log(N) times over the index's life.
///
/// Segments whose deleted fraction reaches `deletesToReclaim` are merged on their own (with
/// neighbours of their level when possible) so deleted documents do not linger.
public struct MergePolicy: Sendable, Hashable {
    /// How many segments of one level are merged together.
    public var mergeFactor: Int
    /// Segments smaller than this count as this size, so tiny flushes form one level.
    public var floorDocuments: Int
    /// Segments at or above this size are never merged again (except to reclaim deletes).
    public var maximumMergedDocuments: Int
    /// The deleted fraction at which a segment is rewritten to drop its deleted documents.
    public var deletesToReclaim: Double

    /// The default: merge 10 at a time, 1,000-document floor, no cap, reclaim at 30% deleted.
    public static let `default` = MergePolicy(
        mergeFactor: 10,
        floorDocuments: 1000,
        maximumMergedDocuments: Int.max,
        deletesToReclaim: 0.3
    )

    /// A policy with explicit parameters.
    public init(mergeFactor: Int, floorDocuments: Int, maximumMergedDocuments: Int, deletesToReclaim: Double) {
        precondition(mergeFactor >= 2, "mergeFactor must be at least 2")
        self.mergeFactor = mergeFactor
        self.floorDocuments = max(floorDocuments, 1)
        self.maximumMergedDocuments = maximumMergedDocuments
        self.deletesToReclaim = deletesToReclaim
    }

    /// What the policy knows of a segment.
    public struct Candidate: Sendable, Hashable {
        /// The segment.
        public var id: SegmentID
        /// All documents, deleted included.
        public var documentCount: Int
        /// Deleted documents.
        public var deletedCount: Int

        /// A candidate.
        public init(id: SegmentID, documentCount: Int, deletedCount: Int) {
            self.id = id
            self.documentCount = documentCount
            self.deletedCount = deletedCount
        }

        var liveCount: Int { documentCount - deletedCount }
    }

    /// The merges to start now, each a list of segments, given the committed segments (oldest
    /// first) and those already being merged.
    public func merges(for segments: [Candidate], excluding merging: Set<SegmentID>) -> [[SegmentID]] {
        let available = segments.filter { !merging.contains($0.id) }
        var byLevel: [Int: [Candidate]] = [:]
        for segment in available where segment.liveCount < maximumMergedDocuments {
            byLevel[level(of: segment.liveCount), default: []].append(segment)
        }
        var merges: [[SegmentID]] = []
        var used = Set<SegmentID>()
        for level in byLevel.keys.sorted() {
            var members = byLevel[level]!
            while members.count >= mergeFactor {
                let group = Array(members.prefix(mergeFactor))
                members.removeFirst(mergeFactor)
                merges.append(group.map(\.id))
                used.formUnion(group.map(\.id))
            }
        }
        for segment in available where !used.contains(segment.id) && segment.documentCount > 0 {
            if Double(segment.deletedCount) / Double(segment.documentCount) >= deletesToReclaim {
                merges.append([segment.id])
                used.insert(segment.id)
            }
        }
        return merges
    }

    /// The level of a segment with `liveCount` live documents.
    func level(of liveCount: Int) -> Int {
        let size = Double(max(liveCount, floorDocuments))
        // The epsilon keeps exact powers (1000 in base 10) on their own level despite rounding.
        return Int((log(size) / log(Double(mergeFactor))) + 1e-9)
    }
}
