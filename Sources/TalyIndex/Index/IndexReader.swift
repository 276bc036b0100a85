/// A point-in-time view of one commit of an index: its segments, opened and verified, with that
/// commit's deletes. Immutable and `Sendable`; later commits and merges never change it.
public final class IndexReader: Sendable {
    /// The commit this reader sees.
    public let manifest: Manifest
    /// Its segments, oldest first.
    public let segments: [SegmentReader]

    /// The index's schema.
    public var schema: Schema { manifest.schema }

    init(manifest: Manifest, segments: [SegmentReader]) {
        self.manifest = manifest
        self.segments = segments
    }

    /// Opens the latest commit in `directory`. A commit published while the files of the
    /// previous one are being opened can remove some of them; the open then starts over on the
    /// new manifest (as Lucene's `FindSegmentsFile` does), a bounded number of times.
    public static func open(directory: String) throws(IndexError) -> IndexReader {
        var attempt = 0
        while true {
            let manifest = try Manifest.load(from: directory)
            do throws(IndexError) {
                let segments = try manifest.segments.map { (entry) throws(IndexError) in
                    try SegmentReader(directory: directory, entry: entry, schema: manifest.schema)
                }
                return IndexReader(manifest: manifest, segments: segments)
            } catch {
                attempt += 1
                guard case .io(_, _, let reason) = error, reason == "No such file or directory", attempt < 10,
                    (try? Manifest.load(from: directory))?.generation != manifest.generation
                else { throw error }
            }
        }
    }

    /// Live documents over all segments.
    public var documentCount: Int { segments.reduce(0) { $0 + Int($1.liveCount) } }

    /// The stored fields of the live document with id `id`, if any;
    /// ``IndexError/idsNotIndexed(operation:)`` on an append-only index.
    public func document(withID id: String) throws(IndexError) -> Document? {
        for segment in segments.reversed() {
            for document in try segment.documents(withID: id) where segment.isLive(document) {
                return try segment.storedFields(document)
            }
        }
        return nil
    }
}
