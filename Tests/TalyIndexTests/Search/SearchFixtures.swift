import TalyTestSupport

@testable import TalyIndex

/// Small real indexes for the search tests, written with ``IndexWriter``.
enum SearchFixtures {
    /// id (keyword), title and body (standard text), tag (keyword), price (int64), tags (multi-valued
    /// keyword), rating (double), published (date).
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("title", .text(analyzer: .standard, stored: false)),
            .init("body", .text(analyzer: .standard, stored: false)),
            .init("tag", .keyword(stored: false, multiValued: false)),
            .init("price", .int64(stored: false)),
            .init("tags", .keyword(stored: false, multiValued: true)),
            .init("rating", .double(stored: false)),
            .init("published", .date(stored: false)),
        ],
        idField: "id"
    )

    /// Writes `batches` of documents, committing after each (one segment per batch, no merges), then deletes
    /// `deletes` (ids) and commits; returns the opened snapshot.
    static func index(
        in directory: TemporaryDirectory, batches: [[Document]], deletes: [String] = []
    ) throws -> IndexReader {
        let writer = try IndexWriter(
            directory: directory.path, schema: schema, options: .init(mergesInBackground: false))
        for batch in batches {
            let errors = try writer.add(batch)
            precondition(errors.allSatisfy { $0 == nil }, "fixture documents must be valid: \(errors)")
            _ = try writer.commit()
        }
        if !deletes.isEmpty {
            for id in deletes { writer.delete(id: id) }
            _ = try writer.commit()
        }
        return try IndexReader.open(directory: directory.path)
    }

    /// A document with a body (and optional title and tag).
    static func document(_ id: String, body: String, title: String? = nil, tag: String? = nil) -> Document {
        var document = Document(["id": .keyword([id]), "body": .text(body)])
        if let title { document["title"] = .text(title) }
        if let tag { document["tag"] = .keyword([tag]) }
        return document
    }

    /// The stored id of a hit.
    static func id(of hit: SearchHit, in reader: IndexReader) throws -> String {
        guard case .keyword(let ids)? = try reader.segments[hit.segment].storedFields(hit.document)["id"] else {
            return "?"
        }
        return ids[0]
    }
}

extension SearchFixtures {
    /// A hit's address, as a dictionary key.
    struct Address: Hashable {
        var segment: Int
        var document: UInt32

        init(_ hit: SearchHit) {
            segment = hit.segment
            document = hit.document
        }
    }
}
