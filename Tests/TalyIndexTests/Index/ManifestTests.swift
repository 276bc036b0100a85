import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the commit manifest")
struct ManifestTests {
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("body", .text(analyzer: .standard, stored: true)),
        ],
        idField: "id"
    )

    static let sample = Manifest(
        generation: 42,
        schema: schema,
        segments: [
            .init(id: SegmentID(high: 1, low: 2), documentCount: 1000, deletedCount: 3, deletesGeneration: 41),
            .init(id: SegmentID(high: 3, low: 4), documentCount: 7),
        ],
        userData: ["outbox.last": "12345", "note": "héllo"]
    )

    @Test("a committed manifest loads back equal, and the temporary file is gone")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        try Self.sample.commit(to: dir.path)
        #expect(try Manifest.load(from: dir.path) == Self.sample)
        #expect(try FileSystem.listDirectory(dir.path) == ["manifest"])
    }

    @Test("a later commit replaces the earlier one whole")
    func replaces() throws {
        let dir = try TemporaryDirectory()
        try Self.sample.commit(to: dir.path)
        var next = Self.sample
        next.generation = 43
        next.segments.removeFirst()
        try next.commit(to: dir.path)
        #expect(try Manifest.load(from: dir.path) == next)
    }

    @Test("an empty directory has no index")
    func noIndex() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: IndexError.noIndex(directory: dir.path)) { _ = try Manifest.load(from: dir.path) }
    }

    @Test("a damaged manifest is a typed error at every byte")
    func damaged() throws {
        let dir = try TemporaryDirectory()
        try Self.sample.commit(to: dir.path)
        let path = dir.path("manifest")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in 0..<original.count {
            var damaged = original
            damaged[position] ^= 0x04
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "flip at \(position)") { _ = try Manifest.load(from: dir.path) }
        }
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: IndexError.self) { _ = try Manifest.load(from: dir.path) }
    }
}
