import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

/// Opens the indexes that format versions 1, 2 and 3 wrote (fixtures/golden/v1, v2 and v3, see
/// their READMEs) and checks every file against the documents they were made from, and that damage
/// to any file is reported.
@Suite("the golden indexes of format versions 1, 2 and 3")
struct GoldenIndexTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/golden")
    static let versions = ["v1", "v2", "v3"]

    static func sourceDocuments(schema: Schema, version: String = "v1") throws -> [ValidatedDocument] {
        let text = try String(
            contentsOf: fixtures.appendingPathComponent(version).appendingPathComponent("documents.jsonl"),
            encoding: .utf8)
        return try text.split(separator: "\n").map { try schema.document(fromJSON: Data($0.utf8)) }
    }

    /// Writes the golden index of the current format into fixtures/golden/`TALY_WRITE_GOLDEN`
    /// (an absent directory), the way the v1 README's commands made v1: create, the first 120
    /// documents and a commit, the last 80 and a commit, then `adduser` deleted and a commit.
    @Test(
        "the golden index generator (runs only with TALY_WRITE_GOLDEN=vN)",
        .enabled(if: ProcessInfo.processInfo.environment["TALY_WRITE_GOLDEN"] != nil))
    func writeGolden() throws {
        let name = try #require(ProcessInfo.processInfo.environment["TALY_WRITE_GOLDEN"])
        let target = Self.fixtures.appendingPathComponent(name)
        let directory = target.appendingPathComponent("index").path
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) exists: never regenerate")
        let schema = try Schema(definition: Data(contentsOf: Self.fixtures.appendingPathComponent("v1/schema.json")))
        let documents = try Self.sourceDocuments(schema: schema)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in ["documents.jsonl", "schema.json"] {
            try FileManager.default.copyItem(
                at: Self.fixtures.appendingPathComponent("v1").appendingPathComponent(file),
                to: target.appendingPathComponent(file))
        }
        _ = try IndexWriter(directory: directory, schema: schema)
        for batch in [documents.prefix(120), documents.suffix(80)] {
            let writer = try IndexWriter(directory: directory, schema: schema)
            #expect(try writer.add(validated: Array(batch)).isEmpty)
            writer.waitForMerges()
            _ = try writer.commit()
        }
        do {
            let writer = try IndexWriter(directory: directory, schema: schema)
            writer.delete(id: "adduser")
            _ = try writer.commit()
        }
        // The lock file stays behind its writer; the fixture holds index files only, as v1 does.
        try FileManager.default.removeItem(atPath: directory + "/" + IndexLock.fileName)
    }

    @Test("every live document, term, posting and column value is the one the documents produce", arguments: versions)
    func contents(version: String) throws {
        let reader = try IndexReader.open(
            directory: Self.fixtures.appendingPathComponent(version).appendingPathComponent("index").path)
        let fileVersion: UInt32 = version == "v1" ? 1 : 2
        let manifest = try IndexFile(
            path: Self.fixtures.appendingPathComponent(version).appendingPathComponent("index/manifest").path,
            kind: .manifest, segment: Manifest.directorySegment)
        #expect(manifest.version == (version == "v3" ? 2 : 1))
        for segment in reader.segments {
            let files = [segment.terms.file, segment.postings.postings, try #require(segment.postings.positions)]
            #expect(files.map(\.version) == [fileVersion, fileVersion, fileVersion])
        }
        let schema = reader.schema
        #expect(reader.manifest.generation == 4)
        #expect(reader.segments.map(\.documentCount) == [120, 80])
        let documents = try Self.sourceDocuments(schema: schema, version: version)
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

    /// Every live posting of `reader` with its positions, keyed by field, term and document id: independent of the
    /// segments and doc numbers a merge changes.
    static func livePostingsWithPositions(_ reader: IndexReader) throws -> [String: [UInt32]] {
        var found: [String: [UInt32]] = [:]
        var positions: [UInt32] = []
        for segment in reader.segments {
            for number in reader.schema.fields.indices {
                guard let terms = segment.terms.terms(forField: UInt32(number)) else { continue }
                var cursor = terms.makeCursor()
                while try cursor.next() {
                    let term = String(decoding: cursor.term, as: UTF8.self)
                    let postings = try segment.postings.cursor(for: try cursor.info())
                    while postings.doc != PostingsCursor.exhausted {
                        if segment.isLive(postings.doc),
                            case .keyword(let ids)? = try segment.storedFields(postings.doc)["id"]
                        {
                            positions.removeAll()
                            if postings.hasPositions { try postings.positions(into: &positions) }
                            found["\(number)/\(term)/\(ids[0])"] = [postings.frequency] + positions
                        }
                        _ = try postings.next()
                    }
                }
            }
        }
        return found
    }

    @Test("merging the version 1 index writes version 2 files with the same postings, frequencies and positions")
    func mergeUpgradesVersion1() throws {
        let source = Self.fixtures.appendingPathComponent("v1/index")
        let dir = try TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: dir.url.appendingPathComponent(name))
        }
        let before = try IndexReader.open(directory: dir.path)
        let expected = try Self.livePostingsWithPositions(before)
        #expect(expected.count > 5000)
        let storedBefore = try Self.liveStoredFields(before)
        #expect(storedBefore.count == 199)
        do {
            let writer = try IndexWriter(directory: dir.path, schema: before.schema)
            try writer.forceMerge(maximumSegments: 1)
        }
        let after = try IndexReader.open(directory: dir.path)
        #expect(after.segments.count == 1)
        #expect(after.documentCount == 199)
        let segment = try #require(after.segments.first)
        let files = [
            segment.terms.file, segment.postings.postings, try #require(segment.postings.positions),
            segment.storedDocuments.file,
        ]
        #expect(files.map(\.version) == [2, 2, 2, 2])
        #expect(try Self.livePostingsWithPositions(after) == expected)
        // Version 1 stored payloads were decoded and encoded again in the version 2 shape.
        #expect(try Self.liveStoredFields(after) == storedBefore)
    }

    /// The stored fields of every live document, in document order.
    static func liveStoredFields(_ reader: IndexReader) throws -> [Document] {
        var documents: [Document] = []
        for segment in reader.segments {
            for document in 0..<segment.documentCount where segment.isLive(document) {
                documents.append(try segment.storedFields(document))
            }
        }
        return documents
    }

    @Test(
        "a flipped byte or a truncation in any file of the index is an IndexError naming that file", arguments: versions
    )
    func damage(version: String) throws {
        let source = Self.fixtures.appendingPathComponent(version).appendingPathComponent("index")
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
