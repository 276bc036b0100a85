import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("stored fields payload")
struct StoredFieldsCodecTests {
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("title", .text(analyzer: .standard, stored: true)),
            .init("body", .text(analyzer: .standard, stored: false)),
            .init("tags", .keyword(stored: true, multiValued: true)),
            .init("price", .int64(stored: true)),
            .init("rating", .double(stored: true)),
            .init("at", .date(stored: true)),
        ],
        idField: "id"
    )

    @Test("stored fields round-trip; unstored ones are left out")
    func roundTrip() throws {
        let document = try Self.schema.validate(
            Document([
                "id": .keyword(["a-1"]), "title": .text("Grüße, world"), "body": .text("not stored"),
                "tags": .keyword(["x", "", "z"]), "price": .int64(Int64.min), "rating": .double(-0.0),
                "at": .date(milliseconds: -5),
            ])
        )
        var bytes: [UInt8] = []
        StoredFieldsCodec.encode(document, schema: Self.schema, into: &bytes)
        let decoded = try bytes.withUnsafeBytes { try StoredFieldsCodec.decode($0, fieldCount: 7, fileName: "t") }
        #expect(decoded.map(\.field) == [0, 1, 3, 4, 5, 6])
        #expect(
            decoded.map(\.value) == [
                .keyword(["a-1"]), .text("Grüße, world"), .keyword(["x", "", "z"]), .int64(Int64.min),
                .double(-0.0), .date(milliseconds: -5),
            ])
        if case .double(let value) = decoded[4].value { #expect(value.sign == .minus) }
    }

    @Test("zigzag round-trips the extremes")
    func zigzag() {
        for value: Int64 in [0, 1, -1, 63, -64, Int64.max, Int64.min] {
            #expect(StoredFieldsCodec.unzigzag(StoredFieldsCodec.zigzag(value)) == value)
        }
    }

    @Test("every truncation and a bad tag are typed errors")
    func corrupt() throws {
        let document = try Self.schema.validate(Document(["id": .keyword(["abc"]), "tags": .keyword(["q"])]))
        var bytes: [UInt8] = []
        StoredFieldsCodec.encode(document, schema: Self.schema, into: &bytes)
        for length in 0..<bytes.count {
            #expect(throws: IndexError.self) {
                try Array(bytes.prefix(length)).withUnsafeBytes {
                    _ = try StoredFieldsCodec.decode($0, fieldCount: 7, fileName: "t")
                }
            }
        }
        var badTag = bytes
        badTag[2] = 9
        #expect(throws: IndexError.corrupt(file: "t", reason: "unknown stored value tag 9")) {
            try badTag.withUnsafeBytes { _ = try StoredFieldsCodec.decode($0, fieldCount: 7, fileName: "t") }
        }
    }
}
