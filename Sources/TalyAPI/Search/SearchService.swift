import Foundation
import TalyIndex
import TalyIngest
import TalyStore

/// Runs the searches of the HTTP routes on the caller's tenant's committed indexes.
///
/// Access: the tenant is the principal's. A caller who manages the collection (`catalog.read`
/// for products, `content.read` for content types) gets the strict query parser (400 naming the
/// position of a syntax error) and every product status; anyone else (a public search-only key,
/// a customer) gets the forgiving parser, and products with status `active` only. Content
/// indexes hold published items only, so no one searches drafts.
struct SearchService: Sendable {
    let collections: SearchCollections

    /// An opened collection: its snapshot (nil: no index yet) and how the caller may search it.
    struct Target {
        let name: String
        let snapshot: SearchSnapshot?
        let strict: Bool
        let restriction: Filter?
    }

    /// The collection `name` of the caller's tenant: 422 without a name, 404 for an unknown one.
    func target(_ name: String?, principal: Principal) throws(APIError) -> Target {
        guard let name, !name.isEmpty else { throw .invalid("collection", "is required (a content type or products)") }
        guard let collection = SearchCollection(name: name) else {
            throw .invalid("collection", "\"\(name)\" is not a content type name or products")
        }
        let manages: Bool
        var restriction: Filter?
        switch collection {
        case .products:
            manages = principal.permissions.contains(.catalogRead)
            if !manages { restriction = .equal(field: "status", .string(ProductStatus.active.rawValue)) }
        case .content(let typeName):
            let type: ContentTypeRecord?
            do throws(StoreError) {
                type = try principal.tenant.contentType(named: typeName)
            } catch {
                throw APIError.from(error) ?? .unavailable("cannot read the content types")
            }
            guard type != nil else { throw APIError(.notFound, "no collection \(name)") }
            manages = principal.permissions.contains(.contentRead)
        }
        let snapshot: SearchSnapshot?
        do throws(IndexError) {
            snapshot = try collections.snapshot(tenantID: principal.tenant.tenantID, collection: collection)
        } catch {
            throw .unavailable("the index of \(name) cannot be opened: \(error)")
        }
        return Target(name: name, snapshot: snapshot, strict: manages, restriction: restriction)
    }

    /// One search, stopped at `deadline` (504 `timeout`).
    func search(_ parameters: SearchParameters, principal: Principal, deadline: ContinuousClock.Instant?)
        throws(APIError) -> SearchResultResource
    {
        let started = ContinuousClock.now
        let target = try target(parameters.collection, principal: principal)
        guard let snapshot = target.snapshot else { return Self.nothingIndexed(target, parameters) }
        var spec = try SearchSpec(
            parameters, schema: snapshot.reader.schema, strict: target.strict, restriction: target.restriction)
        spec.request.deadline = deadline
        var result = try run(spec, on: snapshot, collection: target.name)
        result.processingTimeMs = Self.milliseconds(since: started)
        return result
    }

    /// One search, checked and estimated where the request is and run where its cost says
    /// (`SearchPlacement`), stopped at `deadline` (504 `timeout`).
    func placedSearch(_ parameters: SearchParameters, principal: Principal, deadline: ContinuousClock.Instant?)
        async throws -> SearchResultResource
    {
        let started = ContinuousClock.now
        let target = try target(parameters.collection, principal: principal)
        guard let snapshot = target.snapshot else { return Self.nothingIndexed(target, parameters) }
        let spec = try SearchSpec(
            parameters, schema: snapshot.reader.schema, strict: target.strict, restriction: target.restriction)
        // Compiled once, here: the estimate needs the terms' statistics the search then uses.
        let prepared: PreparedSearch
        do throws(SearchError) {
            prepared = try snapshot.searcher.prepare(spec.request)
        } catch {
            throw Self.problem(error)
        }
        let preparation = ContinuousClock.now - started
        // The engine's time is the preparation and the run that answered, not the wait for a
        // pool thread: `processing_time_ms` is what HTTP's share is measured against.
        return try await SearchPlacement.run(cost: prepared.estimatedCost, deadline: deadline) { deadline in
            let running = ContinuousClock.now
            var prepared = prepared
            prepared.deadline = deadline
            var result = try run(spec, prepared: prepared, on: snapshot, collection: target.name)
            result.processingTimeMs = Self.milliseconds(preparation + (ContinuousClock.now - running))
            return result
        }
    }

    /// The answer of a collection with no index yet: nothing is published, so nothing matches
    /// whatever was asked.
    private static func nothingIndexed(_ target: Target, _ parameters: SearchParameters) -> SearchResultResource {
        SearchResultResource(
            collection: target.name, hits: [], total: 0, totalIsExact: true, offset: parameters.offset ?? 0,
            limit: parameters.limit ?? SearchLimits.defaultLimit, nextCursor: nil, facets: [], appliedEventID: nil,
            processingTimeMs: 0)
    }

    /// Runs a checked search on a snapshot.
    func run(_ spec: SearchSpec, prepared: PreparedSearch? = nil, on snapshot: SearchSnapshot, collection: String)
        throws(APIError) -> SearchResultResource
    {
        let searcher = snapshot.searcher
        let response: SearchResponse
        do throws(SearchError) {
            if let prepared {
                response = try searcher.search(prepared)
            } else {
                response = try searcher.search(spec.request)
            }
        } catch {
            throw Self.problem(error)
        }
        let hits = Array(response.hits.dropFirst(spec.offset))
        var highlighter: Highlighter?
        if let options = spec.highlight {
            do throws(SearchError) {
                highlighter = try Highlighter(searcher: searcher, query: spec.request.query, options: options)
            } catch {
                throw Self.problem(error)
            }
        }
        var resources: [SearchHitResource] = []
        resources.reserveCapacity(hits.count)
        let schema = searcher.reader.schema
        let fieldNames = hits.isEmpty ? [] : schema.fields.map(\.name)
        let idField = schema.idFieldNumber
        for hit in hits {
            let values: [(field: Int, value: FieldValue)]
            do throws(IndexError) {
                values = try searcher.reader.segments[hit.segment].storedValues(hit.document)
            } catch {
                throw APIError.unavailable("the index of \(collection) cannot be read: \(error)")
            }
            var id = ""
            for (field, value) in values where field == idField {
                if case .keyword(let ids) = value, let first = ids.first { id = first }
            }
            var resource = SearchHitResource(
                id: id, score: hit.score, document: StoredDocumentResource(fieldNames: fieldNames, values: values))
            if highlighter != nil {
                do throws(SearchError) {
                    let highlighted = try highlighter!.highlight(hit)
                    resource.highlight = Dictionary(
                        highlighted.map { ($0.field, $0.snippets) }, uniquingKeysWith: { first, _ in first })
                } catch {
                    throw Self.problem(error)
                }
            }
            if spec.explain {
                do throws(SearchError) {
                    resource.explanation = ExplanationResource(try searcher.explain(spec.request.query, hit: hit))
                } catch {
                    throw Self.problem(error)
                }
            }
            resources.append(resource)
        }
        let total = response.totalCount ?? 0
        return SearchResultResource(
            collection: collection, hits: resources, total: min(total, SearchLimits.exactTotalCap),
            totalIsExact: total <= SearchLimits.exactTotalCap, offset: spec.offset, limit: spec.limit,
            nextCursor: hits.count == spec.limit && spec.limit > 0 ? response.cursor : nil,
            facets: response.facets.map(FacetResultResource.init), appliedEventID: snapshot.appliedEventID?.rawValue,
            processingTimeMs: 0)
    }

    /// A type-ahead search within one keyword facet's values, stopped at `deadline`.
    func searchFacetValues(
        _ parameters: FacetSearchParameters, principal: Principal, deadline: ContinuousClock.Instant?
    ) throws(APIError) -> FacetSearchResultResource {
        guard let facet = parameters.facet, !facet.isEmpty else { throw .invalid("facet", "is required") }
        let limit = parameters.limit ?? 10
        guard (1...SearchLimits.maximumFacetValues).contains(limit) else {
            throw .invalid("limit", "must be from 1 to \(SearchLimits.maximumFacetValues)")
        }
        let target = try target(parameters.collection, principal: principal)
        guard let snapshot = target.snapshot else {
            return FacetSearchResultResource(facet: facet, values: [], matchingValues: 0, appliedEventID: nil)
        }
        let schema = snapshot.reader.schema
        guard let number = schema.fieldNumber(facet), case .keyword = schema.fields[number].type,
            number != schema.idFieldNumber
        else {
            throw SearchSpec.badParameter("facet", "\"\(facet)\" is not a keyword field of \(target.name)")
        }
        let spec = try SearchSpec(
            parameters.search, schema: schema, strict: target.strict, restriction: target.restriction)
        let request = FacetValueSearchRequest(
            field: facet, prefix: parameters.prefix ?? "", query: spec.request.query, filter: spec.request.filter,
            selections: spec.request.selections, limit: limit, deadline: deadline)
        do throws(SearchError) {
            let response = try snapshot.searcher.searchFacetValues(request)
            return FacetSearchResultResource(
                facet: facet, values: response.values.map { .init(value: $0.value, count: $0.count) },
                matchingValues: response.matchingValues, appliedEventID: snapshot.appliedEventID?.rawValue)
        } catch {
            throw Self.problem(error)
        }
    }

    /// The problem for an engine failure, naming the parameter it comes from.
    static func problem(_ error: SearchError) -> APIError {
        switch error {
        case .unknownField, .fieldNotSearchable, .unsupported, .tooManyExpansions, .analysis:
            return SearchSpec.badParameter("q", error.description)
        case .filter: return SearchSpec.badParameter("filter", error.description)
        case .invalidFacet(let field, _): return SearchSpec.badParameter("facets", "\(field): \(error.description)")
        case .invalidSort: return SearchSpec.badParameter("sort", error.description)
        case .invalidCursor: return SearchSpec.badParameter("cursor", error.description)
        case .fieldNotHighlightable: return SearchSpec.badParameter("highlight", error.description)
        case .index(let failure): return .unavailable("the index cannot be read: \(failure)")
        case .deadlineExceeded: return APIError(.timeout, "\(error.description) (the request's deadline)")
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        milliseconds(ContinuousClock.now - start)
    }

    /// A duration in milliseconds, for `processing_time_ms`.
    static func milliseconds(_ elapsed: Duration) -> Double {
        Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
