import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

/// Opens the index that format version 1 wrote (fixtures/golden/v1, see its README) and checks
/// every file against the documents it was made from, and that damage to any file is reported.
@Suite("the golden index of format version 1")
struct GoldenIndexTests {
    static let golden = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/golden/v1")

    static func sourceDocuments(schema: Schema) throws -> [ValidatedDocument] {
        let text = try String(contentsOf: golden.appendingPathComponent("documents.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try schema.document(fromJSON: Data($0.utf8)) }
    }

    @Test("every live document, term, posting and column value is the one the documents produce")
    func contents() throws {
        let reader = try IndexReader.open(directory: Self.golden.appendingPathComponent("index").path)
        let schema = reader.schema
        #expect(reader.manifest.generation == 4)
        #expect(reader.segments.map(\.documentCount) == [120, 80])
        let documents = try Self.sourceDocuments(schema: schema)
        #expect(documents.count == 200)
        #expect(reader.documentCount == 199)
        #expect(try reader.document(withID: "adduser") == nil, "the deleted document stays deleted")

        var expectedPostings: [Int: [String: [String: Int]]] = [:]  // field → term → id → frequency
        var tokens = TokenBuffer()
        for document in documents where document.id != "adduser" {
            let stored = try #require(try reader.document(withID: document.id))
            for (number, field) in schema.fields.enumerated() where field.type.isStored {
                #expect(stored[field.name] == document.values[number], "\(document.id).\(field.name)")
            }
            for (number, field) in schema.fields.enumerated() {
                guard case .text(let kind, _) = field.type, case .text(let text)? = document.values[number] else {
                    continue
                }
                try kind.makeAnalyzer().analyze(text, into: &tokens)
                for index in tokens.indices {
                    expectedPostings[number, default: [:]][tokens.term(at: index), default: [:]][
                        document.id, default: 0] += 1
                }
            }
        }
        for (number, expected) in expectedPostings {
            let found = try IndexWriterTests.livePostings(reader, field: UInt32(number))
            let wrong = Set(found.keys).union(expected.keys).filter { found[$0] != expected[$0] }.sorted()
            #expect(wrong.isEmpty, "field \(number): postings differ for \(wrong.prefix(5))")
        }

        for segment in reader.segments {
            let sections = try #require(segment.columns.keywordColumn(field: 3))
            let sizes = try #require(segment.columns.numericColumn(field: 5))
            for document in 0..<segment.documentCount {
                let stored = try segment.storedFields(document)
                let section = sections.ordinal(document).map {
                    String(decoding: sections.value(forOrdinal: Int($0)), as: UTF8.self)
                }
                #expect(stored["section"] == section.map { .keyword([$0]) })
                #expect(stored["installed_kb"] == sizes.value(document).map { .int64($0) })
            }
        }
    }

    @Test("a flipped byte or a truncation in any file of the index is an IndexError naming that file")
    func damage() throws {
        let source = Self.golden.appendingPathComponent("index")
        let names = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted()
        #expect(names.count == 16)
        for name in names {
            for damage in ["flip", "truncate"] {
                let dir = try TemporaryDirectory()
                for other in names {
                    try FileManager.default.copyItem(
                        at: source.appendingPathComponent(other), to: dir.url.appendingPathComponent(other))
                }
                let path = dir.path(name)
                var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                if damage == "flip" { bytes[bytes.count / 2] ^= 0x20 } else { bytes.removeLast() }
                try bytes.write(to: URL(fileURLWithPath: path))
                #expect {
                    _ = try IndexReader.open(directory: dir.path)
                } throws: { error in
                    guard let error = error as? IndexError else { return false }
                    return error.description.contains(name)
                        || (name == "manifest" && error.description.contains("manifest"))
                }
            }
        }
    }
}
