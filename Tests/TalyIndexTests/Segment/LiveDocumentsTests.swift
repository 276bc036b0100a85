import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("live documents")
struct LiveDocumentsTests {
    let segment = SegmentID(high: 9, low: 9)

    @Test("deletes are counted once and survive a write and read", arguments: [0, 1, 63, 64, 65, 1000] as [UInt32])
    func roundTrip(count: UInt32) throws {
        let dir = try TemporaryDirectory()
        var live = LiveDocuments(documentCount: count)
        #expect((0..<count).allSatisfy { live.isLive($0) })
        var random = SplitMix64(seed: UInt64(count))
        var deleted = Set<UInt32>()
        if count > 0 {
            for _ in 0..<count / 3 + 1 {
                let document = UInt32.random(in: 0..<count, using: &random)
                #expect(live.delete(document) == deleted.insert(document).inserted)
            }
        }
        #expect(live.deletedCount == UInt32(deleted.count))
        let path = dir.path(LiveDocuments.fileName(segment: segment, generation: 3))
        try live.write(to: path, segment: segment, sync: false)
        let back = try LiveDocuments(path: path, segment: segment, documentCount: count)
        #expect(back == live)
        #expect((0..<count).allSatisfy { back.isLive($0) == !deleted.contains($0) })
    }

    @Test("a bitmap for another document count, or damaged bytes, is refused")
    func refused() throws {
        let dir = try TemporaryDirectory()
        var live = LiveDocuments(documentCount: 100)
        live.delete(7)
        let path = dir.path("x.live")
        try live.write(to: path, segment: segment, sync: false)
        #expect(throws: IndexError.corrupt(file: "x.live", reason: "covers 100 documents, the segment has 99")) {
            _ = try LiveDocuments(path: path, segment: segment, documentCount: 99)
        }
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in 0..<original.count {
            var damaged = original
            damaged[position] ^= 0x80
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self) { _ = try LiveDocuments(path: path, segment: segment, documentCount: 100) }
        }
    }
}
