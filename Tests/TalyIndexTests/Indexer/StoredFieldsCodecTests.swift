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
        StoredFieldsCodec.encode(document, stored: Self.schema.fields.map(\.type.isStored), into: &bytes)
        let decoded = try bytes.withUnsafeBytes {
            try StoredFieldsCodec.decode($0, fieldCount: 7, version: StoredFieldsCodec.currentVersion, fileName: "t")
        }
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

    @Test("the payload's last string runs to its end in version 2 and has its length in version 1")
    func lastString() throws {
        let document = try Self.schema.validate(Document(["id": .keyword(["a-1"]), "title": .text("hi")]))
        var bytes: [UInt8] = []
        StoredFieldsCodec.encode(document, stored: Self.schema.fields.map(\.type.isStored), into: &bytes)
        // 2 fields | 0: keyword, 1 value, length 3, "a-1" | 1: text, "hi" to the end.
        #expect(bytes == [2, 0, 1, 1, 3, 0x61, 0x2D, 0x31, 1, 0, 0x68, 0x69])
        let version1: [UInt8] = [2, 0, 1, 1, 3, 0x61, 0x2D, 0x31, 1, 0, 2, 0x68, 0x69]
        for (payload, version) in [(bytes, UInt32(2)), (version1, UInt32(1))] {
            let decoded = try payload.withUnsafeBytes {
                try StoredFieldsCodec.decode($0, fieldCount: 7, version: version, fileName: "t")
            }
            #expect(decoded.map(\.value) == [.keyword(["a-1"]), .text("hi")], "version \(version)")
        }
        // Read as version 2, the version 1 payload's last string would keep its length byte.
        let misread = try version1.withUnsafeBytes {
            try StoredFieldsCodec.decode($0, fieldCount: 7, version: 2, fileName: "t")
        }
        #expect(misread.last?.value == .text("\u{2}hi"))
    }

    @Test("every truncation and a bad tag are typed errors")
    func corrupt() throws {
        // The last field is a number, so every cut lands inside a length-delimited part.
        let document = try Self.schema.validate(
            Document(["id": .keyword(["abc"]), "tags": .keyword(["q"]), "price": .int64(300)]))
        var bytes: [UInt8] = []
        StoredFieldsCodec.encode(document, stored: Self.schema.fields.map(\.type.isStored), into: &bytes)
        for version: UInt32 in [1, 2] {
            for length in 0..<bytes.count {
                #expect(throws: IndexError.self, "version \(version), \(length) bytes") {
                    try Array(bytes.prefix(length)).withUnsafeBytes {
                        _ = try StoredFieldsCodec.decode($0, fieldCount: 7, version: version, fileName: "t")
                    }
                }
            }
        }
        var badTag = bytes
        badTag[2] = 9
        #expect(throws: IndexError.corrupt(file: "t", reason: "unknown stored value tag 9")) {
            try badTag.withUnsafeBytes {
                _ = try StoredFieldsCodec.decode($0, fieldCount: 7, version: 2, fileName: "t")
            }
        }
        let textLast = try Self.schema.validate(Document(["id": .keyword(["k"]), "title": .text("é")]))
        var text: [UInt8] = []
        StoredFieldsCodec.encode(textLast, stored: Self.schema.fields.map(\.type.isStored), into: &text)
        text[text.count - 1] = 0xFF  // "é" is C3 A9: a lead byte, then no continuation
        #expect(throws: IndexError.corrupt(file: "t", reason: "the stored fields' last string is not UTF-8")) {
            try text.withUnsafeBytes { _ = try StoredFieldsCodec.decode($0, fieldCount: 7, version: 2, fileName: "t") }
        }
    }
}
