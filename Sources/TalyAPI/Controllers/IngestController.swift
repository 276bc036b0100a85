import Foundation
import HTTPTypes
import Hummingbird
import TalyIngest
import TalyStore

/// `POST /v1/ingest`: bulk-loads NDJSON into the caller's tenant through the pipeline of
/// `taly ingest` (`BulkIngestPipeline`), streaming the body into it, and answers one result per
/// line plus a summary (docs/api/ingest.md).
///
/// Products need `catalog.write`, a content type's items `content.write`; without
/// `content.publish` a line that would take effect in public (`publish_at`, a change to an item
/// that is not a draft) is rejected, as on the single-item routes. Lines are written in batches,
/// one transaction each, with the same revisions, audit entries and outbox events as the CLI's,
/// so the index sync worker picks them up.
struct IngestController: Sendable {
    /// The route's path; the gateway gives it its own body limit.
    static let path = "/v1/ingest"
    /// Media types accepted for the body: newline-delimited JSON under its common names.
    static let mediaTypes: Set<String> = ["application/x-ndjson", "application/ndjson", "application/jsonl"]

    func register(_ api: RouteRegistry) {
        api.add(
            RouteDoc(
                .post, Self.path,
                summary:
                    "Bulk-load products or one content type's items from NDJSON (catalog.write / content.write); one result per line",
                tag: "ingest", access: .authenticated,
                query: [
                    ("collection", .string(), "products, or a content type name (required)"),
                    (
                        "mode", .string(values: BulkWriteMode.allCases.map(\.rawValue)),
                        "what an existing sku/slug means: insert (rejected), upsert (merged, default) or replace"
                    ),
                    ("allow_rejects", .boolean, "answer 200 instead of 207 when lines were rejected"),
                ],
                requestBody: .freeObject, requestMediaType: "application/x-ndjson",
                response: IngestResultResource.schema,
                alsoSucceeds: [(207, "some lines were rejected; the others are written")],
                problems: [
                    (403, "catalog.write (products) or content.write (content) missing"),
                    (404, "no such content type"), (411, "Content-Length missing"),
                ])
        ) { request, context in
            try await Self.ingest(request, context: context)
        }
    }

    /// What the query string asks for.
    struct Query {
        let collection: SearchCollection
        let mode: BulkWriteMode
        let allowRejects: Bool

        /// 422 naming every bad parameter.
        init(_ query: Parameters) throws(APIError) {
            var problems: [InvalidParam] = []
            var collection: SearchCollection?
            if let name = query.get("collection"), !name.isEmpty {
                collection = SearchCollection(name: name)
                if collection == nil {
                    problems.append(InvalidParam(name: "collection", reason: "must be products or a content type name"))
                }
            } else {
                problems.append(InvalidParam(name: "collection", reason: "is required (products or a content type)"))
            }
            let modeText = query.get("mode") ?? BulkWriteMode.upsert.rawValue
            let mode = BulkWriteMode(rawValue: modeText)
            if mode == nil { problems.append(InvalidParam(name: "mode", reason: "must be insert, upsert or replace")) }
            var allowRejects = false
            switch query.get("allow_rejects")?.lowercased() {
            case nil, "false", "0": break
            case "true", "1", "": allowRejects = true
            default: problems.append(InvalidParam(name: "allow_rejects", reason: "must be true or false"))
            }
            guard let collection, let mode, problems.isEmpty else { throw .validation(problems) }
            self.collection = collection
            self.mode = mode
            self.allowRejects = allowRejects
        }
    }

    static func ingest(_ request: Request, context: TalyRequestContext) async throws -> Response {
        let principal = try context.authenticated()
        let parameters = try Query(request.uri.queryParameters)
        let target: BulkIngestTarget
        switch parameters.collection {
        case .products:
            _ = try context.require(.catalogWrite)
            target = .products
        case .content(let typeName):
            _ = try context.require(.contentWrite)
            guard let type = try principal.tenant.contentType(named: typeName) else {
                throw APIError(.notFound, "no content type \(typeName)")
            }
            target = .content(type)
        }
        try checkBodyHeaders(request)

        let pipe = RequestBodyPipe()
        let collector = IngestResultCollector()
        let pipeline = BulkIngestPipeline(
            scope: principal.tenant, target: target,
            options: .init(
                mode: parameters.mode, format: .jsonLines, actor: principal.actor,
                mayPublish: principal.permissions.contains(.contentPublish)))
        async let run = runOnOwnThread { () throws -> BulkIngestSummary in
            defer { pipe.closeReader() }
            return try pipeline.run(RequestBodySource(pipe: pipe), checkpointKey: nil, sink: collector)
        }
        await pipe.fill(from: request.body, limit: context.limits.maxIngestBodyBytes)
        let summary: BulkIngestSummary
        do {
            summary = try await run
        } catch let error as BulkIngestError {
            throw problem(error, pipe: pipe)
        }
        guard summary.records > 0 else {
            throw APIError(.malformedBody, "the request body holds no records: send one JSON object per line")
        }
        let resource = IngestResultResource(
            collection: parameters.collection, mode: parameters.mode, summary: summary, results: collector.results)
        let status: HTTPResponse.Status =
            summary.rejected > 0 && !parameters.allowRejects ? .multiStatus : .ok
        return try respond(resource, status: status, context: context, request: request)
    }

    /// 415 for a body that is not NDJSON or is compressed, 411 without `Content-Length` (the
    /// size must be known before anything is written; the gateway refuses one over the limit).
    static func checkBodyHeaders(_ request: Request) throws(APIError) {
        if let contentType = request.headers[.contentType] {
            let media = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard mediaTypes.contains(media) else {
                throw APIError(.unsupportedMediaType, "the body must be application/x-ndjson, not \(contentType)")
            }
        }
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw APIError(.unsupportedMediaType, "Content-Encoding \(encoding) is not supported: send plain NDJSON")
        }
        guard request.headers[.contentLength] != nil else {
            throw APIError(.lengthRequired, "bulk ingest needs Content-Length, so the body's size is known up front")
        }
    }

    /// The answer when the run stopped: the body's own failure first (413 over the limit), the
    /// store's next; the batches committed before stay written.
    static func problem(_ error: BulkIngestError, pipe: RequestBodyPipe) -> any Error {
        switch pipe.failure {
        case .overLimit(let limit)?:
            return APIError(.payloadTooLarge, "the request body is over the limit of \(limit) bytes")
        case .broken(let reason)?:
            return APIError(.malformedBody, "the request body ended early: \(reason)")
        case nil:
            break
        }
        switch error {
        case .store(let storeError): return APIError.from(storeError) ?? storeError
        case .malformedInput, .corruptInput, .cannotRead:
            return APIError(.malformedBody, error.description)
        case .cannotWriteRejects: return error
        }
    }
}

/// Keeps the results of committed batches, in input order. Used by the pipeline's writer thread
/// alone, then read after the run returned.
final class IngestResultCollector: BulkIngestSink, @unchecked Sendable {
    private(set) var results: [BulkRecordResult] = []

    func batchWillCommit(_ results: [BulkRecordResult]) throws -> Int64 { 0 }

    func batchDidCommit(_ results: [BulkRecordResult], summary: BulkIngestSummary) {
        self.results.append(contentsOf: results)
    }
}

extension HTTPResponse.Status {
    /// 207: some lines of a bulk request were rejected, the others written (HTTPTypes has no
    /// constant for it).
    static let multiStatus = HTTPResponse.Status(code: 207, reasonPhrase: "Multi-Status")
}
