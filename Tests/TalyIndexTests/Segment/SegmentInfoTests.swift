import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("segment metadata")
struct SegmentInfoTests {
    let info = SegmentInfo(
        id: SegmentID(high: 5, low: 6),
        documentCount: 1000,
        schemaFieldCount: 4,
        fields: [
            .init(
                field: 1, documentCount: 990, sumTotalTermFrequency: 51_234, sumDocumentFrequency: 40_000,
                termCount: 9000),
            .init(
                field: 3, documentCount: 1000, sumTotalTermFrequency: 1000, sumDocumentFrequency: 1000, termCount: 12),
        ]
    )

    @Test("round-trips and answers per-field statistics")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        try info.write(directory: dir.path, sync: false)
        let back = try SegmentInfo(directory: dir.path, segment: info.id, expectedDocumentCount: 1000)
        #expect(back == info)
        #expect(back.statistics(field: 3)?.termCount == 12)
        #expect(back.statistics(field: 2) == nil)
    }

    @Test("a count that disagrees with the manifest, or any damaged byte, is refused")
    func refused() throws {
        let dir = try TemporaryDirectory()
        try info.write(directory: dir.path, sync: false)
        #expect(throws: IndexError.self) {
            _ = try SegmentInfo(directory: dir.path, segment: info.id, expectedDocumentCount: 999)
        }
        let path = SegmentInfo.path(directory: dir.path, segment: info.id, kind: .segmentInfo)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in 0..<original.count {
            var damaged = original
            damaged[position] ^= 0x01
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "flip at \(position)") {
                _ = try SegmentInfo(directory: dir.path, segment: info.id, expectedDocumentCount: 1000)
            }
        }
    }
}
