import Foundation
import Hummingbird
import TalyIngest
import TalyStore

/// The answer of `POST /v1/ingest`: one result per record line, in input order, and the
/// counters of the run.
struct IngestResultResource: ResponseEncodable, Sendable {
    /// What happened to one line.
    struct LineResult: Encodable, Sendable {
        let line: Int
        let outcome: String
        /// The record's id once written (or found unchanged).
        let id: Int64?
        /// The slug or SKU, under the collection's name for it.
        let externalID: String?
        let externalIDName: String
        /// For a rejected line: the field at fault (`record` for the line as a whole) and why.
        var field: String?
        var reason: String?

        init(_ result: BulkRecordResult, externalIDName: String) {
            line = result.line
            externalID = result.externalID
            self.externalIDName = externalIDName
            var field: String?
            var reason: String?
            switch result.outcome {
            case .created(let id):
                outcome = "created"
                self.id = id
            case .updated(let id):
                outcome = "updated"
                self.id = id
            case .unchanged(let id):
                outcome = "unchanged"
                self.id = id
            case .valid:
                outcome = "valid"
                id = nil
            case .rejected(let at, let why):
                outcome = "rejected"
                id = nil
                field = APIError.jsonName(at)
                reason = why
            }
            self.field = field
            self.reason = reason
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: DynamicCodingKey.self)
            try container.encode(line, forKey: DynamicCodingKey(stringValue: "line"))
            try container.encode(outcome, forKey: DynamicCodingKey(stringValue: "outcome"))
            try container.encodeIfPresent(id, forKey: DynamicCodingKey(stringValue: "id"))
            try container.encodeIfPresent(externalID, forKey: DynamicCodingKey(stringValue: externalIDName))
            try container.encodeIfPresent(field, forKey: DynamicCodingKey(stringValue: "field"))
            try container.encodeIfPresent(reason, forKey: DynamicCodingKey(stringValue: "reason"))
        }
    }

    struct Summary: Encodable, Sendable {
        let records: Int64
        let accepted: Int64
        let created: Int64
        let updated: Int64
        let unchanged: Int64
        let rejected: Int64
        let elapsedMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case records, accepted, created, updated, unchanged, rejected
            case elapsedMilliseconds = "elapsed_ms"
        }
    }

    let collection: String
    let mode: String
    let summary: Summary
    private(set) var results: [LineResult]

    init(collection: SearchCollection, mode: BulkWriteMode, summary: BulkIngestSummary, results: [BulkRecordResult]) {
        let externalIDName: String
        switch collection {
        case .products:
            self.collection = "products"
            externalIDName = "sku"
        case .content(let typeName):
            self.collection = typeName
            externalIDName = "slug"
        }
        self.mode = mode.rawValue
        self.summary = Summary(
            records: summary.records, accepted: summary.accepted, created: summary.created, updated: summary.updated,
            unchanged: summary.unchanged, rejected: summary.rejected,
            elapsedMilliseconds: (summary.elapsed * 1_000_000).rounded() / 1000)
        self.results = results.map { LineResult($0, externalIDName: externalIDName) }
    }

    /// After a body was cut at the limit inside a record, the last line read is that record's
    /// start. Unless the start alone was a whole record (the limit fell on its trailing white
    /// space), the parser rejected a fragment: the answer says why the line was not taken.
    mutating func markLastLineCut(limit: Int) {
        guard let last = results.indices.last, results[last].outcome == "rejected" else { return }
        results[last].field = "record"
        results[last].reason = "cut by the body limit of \(limit) bytes: the line continues past it"
    }

    static let schema = JSONSchema.object(
        [
            ("collection", .string()), ("mode", .string(values: BulkWriteMode.allCases.map(\.rawValue))),
            (
                "summary",
                .object(
                    [
                        ("records", .integer), ("accepted", .integer), ("created", .integer), ("updated", .integer),
                        ("unchanged", .integer), ("rejected", .integer), ("elapsed_ms", .number),
                    ],
                    required: ["records", "accepted", "created", "updated", "unchanged", "rejected", "elapsed_ms"])
            ),
            (
                "results",
                .array(
                    .object(
                        [
                            ("line", .integer),
                            ("outcome", .string(values: ["created", "updated", "unchanged", "rejected"])),
                            ("id", .integer), ("sku", .string()), ("slug", .string()), ("field", .string()),
                            ("reason", .string()),
                        ], required: ["line", "outcome"]))
            ),
        ], required: ["collection", "mode", "summary", "results"])
}
