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
                    (404, "no such content type"),
                    (
                        413,
                        "Content-Length over max_ingest_body_bytes (nothing read), or a chunked body past it (the lines before the limit are ingested; summary and results as extension members)"
                    ),
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
        if case .overLimit(let limit)? = pipe.failure {
            var resource = IngestResultResource(
                collection: parameters.collection, mode: parameters.mode, summary: summary, results: collector.results)
            if pipe.cutInsideRecord { resource.markLastLineCut(limit: limit) }
            // The rest of the body is not read: the connection ends after the answer.
            var problem = APIError(
                .payloadTooLarge,
                "the request body is over the limit of \(limit) bytes: the lines within its first \(limit) bytes "
                    + "were ingested (see summary and results), nothing after",
                headers: [.connection: "close"])
            problem.extensionMembers = try? context.responseEncoder.encode(resource)
            throw problem
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

    /// 415 for a body that is not NDJSON or is compressed (the pipeline could decompress it, but
    /// the limit would then no longer bound the number of lines). Any framing is accepted,
    /// `Content-Length` or chunked: the gateway refused a stated length over the limit, and
    /// `RequestBodyPipe` cuts a chunked body at it.
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
    }

    /// The answer when the run stopped: a body broken off first (the connection ends, since what
    /// follows could not be told apart from a next request), the store's failure next; the
    /// batches committed before stay written.
    static func problem(_ error: BulkIngestError, pipe: RequestBodyPipe) -> any Error {
        if case .broken(let reason)? = pipe.failure {
            if let known = pipe.bodyError.flatMap(APIError.from) { return known }
            return APIError(
                .malformedBody, "the request body ended early: \(reason)", headers: [.connection: "close"])
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
