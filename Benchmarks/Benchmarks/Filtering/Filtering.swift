// What this measures: filters and facets over one segment of 1,000,000 synthetic documents (a
// four-word body over a skewed 1,000-word vocabulary, a single-valued keyword of 100 values, a
// multi-valued keyword of 0–3 of 50 values, an int64 price in 0..<10,000): evaluating filters
// (bit set per segment), keyword facet counting, numeric range and histogram facets over every
// document, and top-10 searches with and without a filter. Results are per million documents.
// The index is built once (deterministic SplitMix64 values) before the measurements; every
// benchmark checks its result so the work cannot be skipped.
import Benchmark
import Foundation
import TalyIndex

let documentCount = 1_000_000

struct Generator {
    var state: UInt64 = 42

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let searcher: IndexSearcher = {
    let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("body", .text(analyzer: .standard, stored: false)),
            .init("tag", .keyword(stored: false, multiValued: false)),
            .init("tags", .keyword(stored: false, multiValued: true)),
            .init("price", .int64(stored: false)),
        ],
        idField: "id")
    let directory = NSTemporaryDirectory() + "taly-bench-\(UUID().uuidString)"
    let writer = try! IndexWriter(directory: directory, schema: schema, options: .init(mergesInBackground: false))
    var random = Generator()
    var batch: [Document] = []
    for doc in 0..<documentCount {
        let words = (0..<4).map { _ in "w\(Int(Double(random.next() % 1000) * Double(random.next() % 1000) / 1000))" }
        var document = Document([
            "id": .keyword(["d\(doc)"]), "body": .text(words.joined(separator: " ")),
            "tag": .keyword(["t\(random.next() % 100)"]), "price": .int64(Int64(random.next() % 10_000)),
        ])
        let tagCount = Int(random.next() % 4)
        if tagCount > 0 { document["tags"] = .keyword((0..<tagCount).map { _ in "c\(random.next() % 50)" }) }
        batch.append(document)
        if batch.count == 50_000 {
            _ = try! writer.add(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
    _ = try! writer.add(batch)
    _ = try! writer.commit()
    try! writer.forceMerge(maximumSegments: 1)
    _ = try! writer.commit()
    // The reader keeps its mappings after the files are removed.
    let reader = try! IndexReader.open(directory: directory)
    try? FileManager.default.removeItem(atPath: directory)
    return IndexSearcher(reader: reader)
}()

let cheap = FilterBound(.integer(5000), inclusive: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 50)

    let filters: [(String, Filter)] = [
        ("tag = t7", .equal(field: "tag", .string("t7"))),
        ("tags IN [c1, c2, c3]", .oneOf(field: "tags", [.string("c1"), .string("c2"), .string("c3")])),
        ("price 1000 TO 5000", .between("price", .integer(1000), .integer(5000))),
    ]
    for (label, filter) in filters {
        Benchmark("count filter \(label), 1M docs") { benchmark in
            for _ in benchmark.scaledIterations {
                let count = try searcher.count(.matchAll, filter: filter)
                precondition(count > 0)
            }
        }
    }
    let facets: [(String, FacetRequest)] = [
        ("values tag (100 values)", .values("tag")),
        ("values tags (multi-valued, 50 values)", .values("tags")),
        (
            "ranges + stats price",
            FacetRequest(
                field: "price", .ranges([FacetRange("cheap", upper: cheap), FacetRange("dear", lower: cheap)]))
        ),
        ("histogram price, interval 100", FacetRequest(field: "price", .histogram(interval: 100))),
    ]
    for (label, facet) in facets {
        Benchmark("facet \(label), match-all, 1M docs") { benchmark in
            for _ in benchmark.scaledIterations {
                let response = try searcher.search(SearchRequest(limit: 0, facets: [facet]))
                precondition(response.facets.count == 1)
            }
        }
    }
    let queries: [(String, Query)] = [
        ("w3", .term(field: "body", text: "w3")),
        ("w3 OR w40", .any([.term(field: "body", text: "w3"), .term(field: "body", text: "w40")])),
        ("w3 AND w5", .all([.term(field: "body", text: "w3"), .term(field: "body", text: "w5")])),
    ]
    for (label, query) in queries {
        for (filterLabel, filter) in [
            ("no filter", nil), ("price < 5000", .range(field: "price", lower: nil, upper: cheap)),
            ("tag = t7", Filter.equal(field: "tag", .string("t7"))),
        ] as [(String, Filter?)] {
            Benchmark("top-10 \(label), \(filterLabel), 1M docs") { benchmark in
                for _ in benchmark.scaledIterations {
                    let response = try searcher.search(SearchRequest(query: query, filter: filter))
                    precondition(!response.hits.isEmpty)
                }
            }
        }
    }
}
