import HTTPTypes
import Hummingbird
import TalyIndex
import TalyStore

// The search answers are written straight to bytes through the store's `CanonicalJSONWriter`:
// through `JSONEncoder` ten hits with their stored fields cost about a fifth of the engine's own
// time. The answer's own keys are written in sorted order by hand, as
// `TalyRequestContext.responseEncoder` writes them (slashes bare, absent optionals left out as
// synthesized `Encodable` leaves them, `null` where `encode(to:)` writes it); a hit's stored
// fields come in the schema's field order, which costs no sorting per hit (the encoder would sort
// them). Tests compare the parsed JSON with `JSONEncoder`'s on random answers, and the bytes of
// hand-checked ones.

extension SearchResultResource {
    /// The answer as JSON text.
    func json() throws -> [UInt8] {
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: 1024 + hits.count * 1024)
        try write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout CanonicalJSONWriter) throws {
        writer.raw("{")
        writer.key("applied_event_id", first: true)
        if let appliedEventID { writer.integer(appliedEventID) } else { writer.raw("null") }
        writer.key("collection")
        writer.string(collection)
        writer.key("facets")
        try writer.array(facets) { try $1.write(to: &$0) }
        writer.key("hits")
        try SearchHitResource.write(hits, to: &writer)
        writer.key("limit")
        writer.integer(Int64(limit))
        writer.key("next_cursor")
        if let nextCursor { writer.string(nextCursor) } else { writer.raw("null") }
        writer.key("offset")
        writer.integer(Int64(offset))
        writer.key("processing_time_ms")
        try writer.number(processingTimeMs)
        writer.key("total")
        writer.integer(Int64(total))
        writer.key("total_is_exact")
        writer.bool(totalIsExact)
        writer.raw("}")
    }
}

extension MultiSearchResultResource {
    /// The answer as JSON text.
    func json() throws -> [UInt8] {
        let hitCount = (hits?.count ?? 0) + (results ?? []).reduce(0) { $0 + $1.hits.count }
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: 1024 + hitCount * 1024)
        writer.raw("{")
        var first = true
        if let hits {
            writer.key("hits", first: first)
            first = false
            try SearchHitResource.write(hits, to: &writer)
        }
        if let limit {
            writer.key("limit", first: first)
            first = false
            writer.integer(Int64(limit))
        }
        if let offset {
            writer.key("offset", first: first)
            first = false
            writer.integer(Int64(offset))
        }
        writer.key("processing_time_ms", first: first)
        try writer.number(processingTimeMs)
        if let results {
            writer.key("results")
            try writer.array(results) { try $1.write(to: &$0) }
        }
        if let total {
            writer.key("total")
            writer.integer(Int64(total))
        }
        writer.raw("}")
        return writer.bytes
    }
}

extension SearchHitResource {
    static func write(_ hits: [SearchHitResource], to writer: inout CanonicalJSONWriter) throws {
        try writer.array(hits) { try $1.write(to: &$0) }
    }

    func write(to writer: inout CanonicalJSONWriter) throws {
        writer.raw("{")
        if let collection {
            writer.key("collection", first: true)
            writer.string(collection)
            writer.key("document")
        } else {
            writer.key("document", first: true)
        }
        try document.write(to: &writer)
        if let explanation {
            writer.key("explanation")
            try explanation.write(to: &writer)
        }
        if let highlight {
            writer.key("highlight")
            writer.raw("{")
            for (index, field) in CanonicalJSONWriter.sortedKeys(highlight).enumerated() {
                if index > 0 { writer.raw(",") }
                writer.string(field)
                writer.raw(":")
                writer.array(highlight[field, default: []]) { $0.string($1) }
            }
            writer.raw("}")
        }
        writer.key("id")
        writer.string(id)
        if let mergedScore {
            writer.key("merged_score")
            try writer.number(mergedScore)
        }
        if let queryIndex {
            writer.key("query_index")
            writer.integer(Int64(queryIndex))
        }
        writer.key("score")
        try writer.number(score)
        writer.raw("}")
    }
}

extension StoredDocumentResource {
    /// The fields as one object in schema order, each value as `ContentValue(_:)` maps it (what
    /// `encode(to:)` gives), written straight from the decoded values.
    func write(to writer: inout CanonicalJSONWriter) throws {
        writer.raw("{")
        for (index, stored) in values.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.string(fieldNames[stored.field])
            writer.raw(":")
            switch stored.value {
            case .text(let text): writer.string(text)
            case .keyword(let keywords):
                if keywords.count == 1 { writer.string(keywords[0]) } else { writer.array(keywords) { $0.string($1) } }
            case .int64(let number):
                // Below 2^53 the Double `ContentValue` widens to prints as the integer itself.
                if number.magnitude < 1 << 53 { writer.integer(number) } else { try writer.number(Double(number)) }
            case .double(let number):
                if number.isFinite { try writer.number(number) } else { writer.string(String(number)) }
            case .date(let milliseconds): writer.date(milliseconds: milliseconds)
            }
        }
        writer.raw("}")
    }
}

extension ExplanationResource {
    func write(to writer: inout CanonicalJSONWriter) throws {
        writer.raw("{")
        writer.key("description", first: true)
        writer.string(description)
        writer.key("details")
        try writer.array(details) { try $1.write(to: &$0) }
        writer.key("value")
        try writer.number(value)
        writer.raw("}")
    }
}

extension FacetResultResource {
    func write(to writer: inout CanonicalJSONWriter) throws {
        writer.raw("{")
        var first = true
        if let buckets {
            writer.key("buckets", first: first)
            first = false
            try writer.array(buckets) { writer, bucket in
                writer.raw("{")
                writer.key("count", first: true)
                writer.integer(Int64(bucket.count))
                writer.key("key")
                try writer.number(bucket.key)
                writer.raw("}")
            }
        }
        if let distinctValues {
            writer.key("distinct_values", first: first)
            first = false
            writer.integer(Int64(distinctValues))
        }
        writer.key("field", first: first)
        writer.string(field)
        if let ranges {
            writer.key("ranges")
            try writer.array(ranges) { writer, range in
                writer.raw("{")
                writer.key("count", first: true)
                writer.integer(Int64(range.count))
                if let from = range.from {
                    writer.key("from")
                    try writer.number(from)
                }
                writer.key("label")
                writer.string(range.label)
                if let to = range.to {
                    writer.key("to")
                    try writer.number(to)
                }
                writer.raw("}")
            }
        }
        if let stats {
            writer.key("stats")
            writer.raw("{")
            writer.key("average", first: true)
            try writer.number(stats.average)
            writer.key("count")
            writer.integer(Int64(stats.count))
            writer.key("max")
            try writer.number(stats.max)
            writer.key("min")
            try writer.number(stats.min)
            writer.key("sum")
            try writer.number(stats.sum)
            writer.raw("}")
        }
        writer.key("type")
        writer.string(type)
        if let values {
            writer.key("values")
            writer.array(values) { writer, value in
                writer.raw("{")
                writer.key("count", first: true)
                writer.integer(Int64(value.count))
                writer.key("value")
                writer.string(value.value)
                writer.raw("}")
            }
        }
        writer.raw("}")
    }
}

/// A 200 answer whose body is JSON text already written, with the headers Hummingbird's
/// `JSONEncoder` answer carries.
func jsonResponse(_ bytes: [UInt8]) -> Response {
    Response(
        status: .ok,
        headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(bytes.count)],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
}
