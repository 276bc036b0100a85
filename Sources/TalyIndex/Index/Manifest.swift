import Foundation

/// One commit of an index: which segments are live, with which deletes, under which schema.
///
/// Commits replace the `manifest` file atomically (write `manifest.tmp`, fsync, rename, fsync the
/// directory), so a reader always sees one whole commit and a crash leaves the previous one.
/// Byte layout: `docs/format/manifest.md`.
public struct Manifest: Sendable, Hashable {
    /// One segment of a commit.
    public struct SegmentEntry: Sendable, Hashable {
        /// The segment's identity (and its file-name stem).
        public var id: SegmentID
        /// Documents in the segment, deleted ones included.
        public var documentCount: UInt32
        /// How many of them are deleted as of this commit.
        public var deletedCount: UInt32
        /// The generation of the segment's live-documents file, 0 when nothing is deleted.
        public var deletesGeneration: UInt64

        /// An entry.
        public init(id: SegmentID, documentCount: UInt32, deletedCount: UInt32 = 0, deletesGeneration: UInt64 = 0) {
            self.id = id
            self.documentCount = documentCount
            self.deletedCount = deletedCount
            self.deletesGeneration = deletesGeneration
        }
    }

    /// Increases by one with every commit.
    public var generation: UInt64
    /// The index's schema.
    public var schema: Schema
    /// The live segments, oldest first.
    public var segments: [SegmentEntry]
    /// Caller data stored atomically with the commit (e.g. the last outbox event applied).
    public var userData: [String: String]

    /// A manifest.
    public init(generation: UInt64, schema: Schema, segments: [SegmentEntry] = [], userData: [String: String] = [:]) {
        self.generation = generation
        self.schema = schema
        self.segments = segments
        self.userData = userData
    }

    /// The manifest's file name inside the index directory.
    public static let fileName = "manifest"
    /// Directory-level files carry the zero segment id.
    static let directorySegment = SegmentID(high: 0, low: 0)

    /// Writes this manifest as the directory's current commit, durably and atomically.
    public func commit(to directory: String) throws(IndexError) {
        let temporary = directory + "/" + Self.fileName + ".tmp"
        let output = try IndexOutput(path: temporary, kind: .manifest, segment: Self.directorySegment)
        output.writeVarUInt64(generation)
        let schemaJSON: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            schemaJSON = try encoder.encode(schema)
        } catch {
            preconditionFailure("a Schema always encodes: \(error)")
        }
        output.writeVarUInt64(UInt64(schemaJSON.count))
        output.writeBytes(Array(schemaJSON))
        output.writeVarUInt64(UInt64(segments.count))
        for segment in segments {
            output.writeUInt64(segment.id.high)
            output.writeUInt64(segment.id.low)
            output.writeVarUInt64(UInt64(segment.documentCount))
            output.writeVarUInt64(UInt64(segment.deletedCount))
            output.writeVarUInt64(segment.deletesGeneration)
        }
        output.writeVarUInt64(UInt64(userData.count))
        for key in userData.keys.sorted() {
            output.writeString(key)
            output.writeString(userData[key]!)
        }
        try output.finish(sync: true)
        try FileSystem.rename(temporary, to: directory + "/" + Self.fileName)
        try FileSystem.syncDirectory(directory)
    }

    /// Reads the directory's current commit; ``IndexError/noIndex(directory:)`` when there is none.
    public static func load(from directory: String) throws(IndexError) -> Manifest {
        let path = directory + "/" + fileName
        guard FileSystem.exists(path) else { throw .noIndex(directory: directory) }
        let file = try IndexFile(path: path, kind: .manifest, segment: directorySegment)
        var input = file.input
        let generation = try input.readVarUInt64()
        let schemaLength = try input.readCount(limit: input.remaining, what: "schema length")
        let schemaBytes = try input.readBytes(schemaLength)
        let schema: Schema
        do {
            schema = try JSONDecoder().decode(Schema.self, from: Data(schemaBytes))
        } catch {
            throw .corrupt(file: file.fileName, reason: "the saved schema does not decode: \(error)")
        }
        // Each entry takes at least 19 bytes, which bounds a corrupt count before allocating.
        let segmentCount = try input.readCount(limit: input.remaining / 19, what: "segment count")
        var segments: [SegmentEntry] = []
        segments.reserveCapacity(segmentCount)
        var seen = Set<SegmentID>()
        for _ in 0..<segmentCount {
            let id = SegmentID(high: try input.readUInt64(), low: try input.readUInt64())
            let documents = try input.readCount(limit: Int(UInt32.max), what: "document count")
            let deleted = try input.readCount(limit: documents, what: "deleted count")
            let deletesGeneration = try input.readVarUInt64()
            guard seen.insert(id).inserted else {
                throw .corrupt(file: file.fileName, reason: "segment \(id) is listed twice")
            }
            segments.append(
                SegmentEntry(
                    id: id,
                    documentCount: UInt32(documents),
                    deletedCount: UInt32(deleted),
                    deletesGeneration: deletesGeneration
                )
            )
        }
        let userDataCount = try input.readCount(limit: input.remaining / 2, what: "user data count")
        var userData: [String: String] = [:]
        for _ in 0..<userDataCount {
            let key = try input.readString()
            userData[key] = try input.readString()
        }
        guard input.remaining == 0 else {
            throw .corrupt(file: file.fileName, reason: "\(input.remaining) unexpected bytes after the user data")
        }
        return Manifest(generation: generation, schema: schema, segments: segments, userData: userData)
    }
}
