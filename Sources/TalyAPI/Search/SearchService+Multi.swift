import Foundation
import TalyIndex

extension SearchService {
    /// Several searches in one request. Without `federation`, one result per query, in order.
    /// With it, one list merged across the queries (of one or several collections): BM25 scores
    /// of different queries and collections are not on one scale, so each query's scores are
    /// first divided by its best hit's score (its best hit gets 1, the others their share of it;
    /// a query whose hits have no score, a sort without `_score`, gets 1/(1 + rank)), then
    /// multiplied by the query's `weight` (default 1). Ties go to the earlier query, then the
    /// better rank. Each query runs for `offset + limit` hits, which is exact: the merged page
    /// can hold at most that many hits of any one query, and normalizing keeps a query's order.
    func multiSearch(
        _ body: MultiSearchParameters, principal: Principal, deadline: ContinuousClock.Instant?
    ) throws(APIError) -> MultiSearchResultResource {
        let started = ContinuousClock.now
        guard (1...SearchLimits.maximumQueries).contains(body.queries.count) else {
            throw .invalid("queries", "must hold from 1 to \(SearchLimits.maximumQueries) searches")
        }
        guard let federation = body.federation else {
            var results: [SearchResultResource] = []
            for (index, parameters) in body.queries.enumerated() {
                do throws(APIError) {
                    results.append(try search(parameters, principal: principal, deadline: deadline))
                } catch {
                    throw Self.prefixed(error, "queries[\(index)].")
                }
            }
            return MultiSearchResultResource(
                results: results, processingTimeMs: Self.milliseconds(since: started))
        }
        let limit = federation.limit ?? SearchLimits.defaultLimit
        let offset = federation.offset ?? 0
        var invalid: [InvalidParam] = []
        if !(0...SearchLimits.maximumLimit).contains(limit) {
            invalid.append(
                InvalidParam(name: "federation.limit", reason: "must be from 0 to \(SearchLimits.maximumLimit)"))
        }
        if offset < 0 || offset > SearchLimits.maximumWindow - max(limit, 0) {
            invalid.append(
                InvalidParam(
                    name: "federation.offset",
                    reason: "must not be negative, and offset + limit at most \(SearchLimits.maximumWindow)"))
        }
        for (index, parameters) in body.queries.enumerated() {
            if let weight = parameters.weight, !(weight.isFinite && weight > 0) {
                invalid.append(InvalidParam(name: "queries[\(index)].weight", reason: "must be a positive number"))
            }
            if parameters.cursor != nil || parameters.offset != nil || parameters.limit != nil {
                invalid.append(
                    InvalidParam(
                        name: "queries[\(index)]",
                        reason: "limit, offset and cursor are the federation's when results are merged"))
            }
        }
        guard invalid.isEmpty else { throw .validation(invalid) }
        var merged: [(hit: SearchHitResource, query: Int, rank: Int)] = []
        var total = 0
        for (index, original) in body.queries.enumerated() {
            var parameters = original
            parameters.limit = offset + limit
            let result: SearchResultResource
            do throws(APIError) {
                result = try search(parameters, principal: principal, deadline: deadline)
            } catch {
                throw Self.prefixed(error, "queries[\(index)].")
            }
            total += result.total
            let best = result.hits.first.map { Double($0.score) } ?? 0
            let weight = parameters.weight ?? 1
            for (rank, hit) in result.hits.enumerated() {
                var hit = hit
                let normalized = best > 0 ? Double(hit.score) / best : 1 / Double(1 + rank)
                hit.mergedScore = weight * normalized
                hit.queryIndex = index
                hit.collection = result.collection
                merged.append((hit, index, rank))
            }
        }
        merged.sort { a, b in
            if a.hit.mergedScore != b.hit.mergedScore { return a.hit.mergedScore! > b.hit.mergedScore! }
            return a.query != b.query ? a.query < b.query : a.rank < b.rank
        }
        let page = merged.dropFirst(offset).prefix(limit).map(\.hit)
        return MultiSearchResultResource(
            hits: Array(page), total: total, offset: offset, limit: limit,
            processingTimeMs: Self.milliseconds(since: started))
    }

    /// `error` with its parameter names under `prefix` (`queries[2].filter`).
    static func prefixed(_ error: APIError, _ prefix: String) -> APIError {
        guard !error.invalidParams.isEmpty else { return error }
        return APIError(
            error.kind,
            error.detail.replacingOccurrences(of: "invalid ", with: "invalid \(prefix)", options: .anchored),
            invalidParams: error.invalidParams.map { InvalidParam(name: prefix + $0.name, reason: $0.reason) },
            headers: error.headers)
    }
}
