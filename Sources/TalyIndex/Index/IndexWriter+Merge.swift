import Dispatch
import Synchronization

/// Merging: choosing segments with the merge policy, merging them off the lock, and swapping the
/// result in while carrying over the deletes that arrived during the merge.
extension IndexWriter {
    /// Runs every merge the policy asks for, one after another, until it asks for none.
    public func runMerges() throws(IndexError) {
        while true {
            let groups = state.withLock { state in
                options.mergePolicy.merges(for: state.mergeCandidates, excluding: merges.segmentsInProgress)
            }
            guard !groups.isEmpty else { return }
            for group in groups { try merge(Set(group)) }
        }
    }

    /// Merges until at most `maximumSegments` segments remain (for read-mostly indexes and
    /// benchmarks), then commits.
    public func forceMerge(maximumSegments: Int = 1) throws(IndexError) {
        precondition(maximumSegments >= 1)
        try commit()
        waitForMerges()
        while true {
            let ids = state.withLock { state in state.segments.map(\.reader.id) }
            guard ids.count > maximumSegments else { break }
            // Merge the smallest segments together, as many as needed to reach the target.
            let sizes = state.withLock { state in
                Dictionary(uniqueKeysWithValues: state.segments.map { ($0.reader.id, $0.liveCount) })
            }
            let smallest = ids.sorted { sizes[$0]! < sizes[$1]! }.prefix(ids.count - maximumSegments + 1)
            try merge(Set(smallest))
        }
        try commit()
    }

    /// Blocks until the background merge thread is idle.
    public func waitForMerges() {
        mergeQueue.sync {}
    }

    /// Starts the policy's merges on the background thread.
    func scheduleBackgroundMerges() {
        guard options.mergesInBackground else { return }
        mergeQueue.async { [weak self] in
            guard let self, !self.merges.isStopped else { return }
            do throws(IndexError) {
                try self.runMerges()
            } catch {
                self.state.withLock { $0.mergeFailure = error }
            }
        }
    }

    /// Merges the segments `ids` into one new segment and swaps it in.
    func merge(_ ids: Set<SegmentID>) throws(IndexError) {
        let target = SegmentID.random()
        guard merges.claim(ids.union([target])) else { return }
        defer { merges.release(ids.union([target])) }
        // A snapshot of the sources with the deletes they have now.
        let sources = state.withLock { state in
            state.segments.filter { ids.contains($0.reader.id) }.map { segment in
                SegmentReader(segment.reader, liveDocuments: segment.liveDocuments)
            }
        }
        guard sources.count == ids.count else { return }
        guard sources.contains(where: { $0.liveCount > 0 }) else { return }
        // The schema as of now: sources written before it grew simply lack the new fields.
        let schema = self.schema
        let merger = SegmentMerger(
            schema: schema, directory: directory, compressionLevel: options.storedCompressionLevel)
        let result = try merger.merge(sources, into: target)
        let merged = try SegmentReader(
            directory: directory,
            entry: Manifest.SegmentEntry(id: target, documentCount: result.info.documentCount),
            schema: schema
        )
        // Built here, off the writer's lock: the flushes after this merge consult it.
        let idFilter = try SegmentIDFilter(segment: merged)
        state.withLock { state in
            var replacement = WriterSegment(reader: merged, deletesGeneration: 0, idFilter: idFilter)
            // Deletes that reached the sources while the merge ran move to the merged segment.
            // A source missing from the writer was dropped by a commit because every one of its
            // documents had been deleted: its documents must not come back through the merge.
            for (source, map) in zip(sources, result.documentMaps) {
                let current = state.segments.first { $0.reader.id == source.id }
                for document in 0..<source.documentCount where source.isLive(document) {
                    if current?.isLive(document) != true { replacement.delete(map[Int(document)]) }
                }
            }
            let position = state.segments.firstIndex { ids.contains($0.reader.id) } ?? state.segments.count
            state.segments.removeAll { ids.contains($0.reader.id) }
            state.segments.insert(replacement, at: min(position, state.segments.count))
        }
    }
}

extension WriterState {
    /// The segments as the merge policy sees them.
    var mergeCandidates: [MergePolicy.Candidate] {
        segments.map { segment in
            MergePolicy.Candidate(
                id: segment.reader.id,
                documentCount: Int(segment.reader.documentCount),
                deletedCount: Int(segment.liveDocuments?.deletedCount ?? 0)
            )
        }
    }
}

extension WriterSegment {
    /// Live documents now (uncommitted deletes included).
    var liveCount: Int { Int(reader.documentCount) - Int(liveDocuments?.deletedCount ?? 0) }

    /// Whether `document` is live now.
    func isLive(_ document: UInt32) -> Bool { liveDocuments?.isLive(document) ?? true }
}
