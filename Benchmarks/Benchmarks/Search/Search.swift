// What this measures: the query-side building blocks over one segment of 1,000,000 short synthetic
// documents: `advance(to:)` on a postings cursor at strides 1, 16, 128 and 4,096; two-term
// intersections (dense × dense, dense × sparse); block-max pruned against exhaustive top-10 for a
// two- and a four-term disjunction; counts of a term and of unions; a phrase. Filtering and
// facets are in the Filtering target, block decoding in Codec.
//
// The corpus: each document has 4–12 words (uniform) drawn from a 50,000-word vocabulary with
// Zipf's law (the word of rank r, spelled `w<r>`, with probability ∝ 1/r), from a seeded SplitMix64
// generator, so every run indexes the same documents. `w1` is in about half of the documents,
// `w2` in a third, `w10` in 7%, `w1000` in 0.08%. The index is built once, before the
// measurements, and force-merged into one segment; every benchmark checks its result so the work
// cannot be skipped.
import Benchmark
import Foundation
import TalyIndex

let documentCount = 1_000_000
let vocabularySize = 50_000

struct Generator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}

/// Samples ranks 1...vocabularySize with probability ∝ 1/rank by binary search in the cumulative weights.
struct ZipfSampler {
    let cumulative: [Double]

    init(size: Int) {
        var total = 0.0
        cumulative = (1...size).map { rank in
            total += 1 / Double(rank)
            return total
        }
    }

    func rank(_ generator: inout Generator) -> Int {
        let target = generator.nextUnit() * cumulative[cumulative.count - 1]
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }
}

let searcher: IndexSearcher = {
    let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("body", .text(analyzer: .standard, stored: false)),
        ],
        idField: "id")
    let directory = NSTemporaryDirectory() + "taly-bench-\(UUID().uuidString)"
    let writer = try! IndexWriter(directory: directory, schema: schema, options: .init(mergesInBackground: false))
    let zipf = ZipfSampler(size: vocabularySize)
    var random = Generator(state: 4)
    var batch: [Document] = []
    for doc in 0..<documentCount {
        let length = 4 + Int(random.next() % 9)
        let words = (0..<length).map { _ in "w\(zipf.rank(&random))" }
        batch.append(Document(["id": .keyword(["d\(doc)"]), "body": .text(words.joined(separator: " "))]))
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
    precondition(reader.segments.count == 1 && reader.documentCount == documentCount)
    return IndexSearcher(reader: reader)
}()

/// A fresh cursor on `word`'s postings in the body field of the only segment.
func cursor(_ word: String) throws -> PostingsCursor {
    let segment = searcher.reader.segments[0]
    let field = UInt32(searcher.reader.schema.fieldNumber("body")!)
    guard let info = try segment.terms.terms(forField: field)?.lookup(Array(word.utf8)) else {
        fatalError("\(word) is not in the index")
    }
    return try segment.postings.cursor(for: info)
}

func term(_ word: String) -> Query { .term(field: "body", text: word) }

let advanceCalls = BenchmarkMetric.custom("advance calls", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(2),
        maxIterations: 10_000)

    // One iteration walks the whole list of `w1` (about 520,000 docs), asking each time for the
    // doc `stride` past the current one; "advance calls" is how many calls that took.
    for stride in [1, 16, 128, 4096] as [UInt32] {
        Benchmark(
            "advance(to: doc + \(stride)) over the postings of w1, whole list, 1M docs",
            configuration: .init(metrics: [.wallClock, .mallocCountTotal, advanceCalls])
        ) { benchmark in
            var calls = 0
            for _ in benchmark.scaledIterations {
                let postings = try cursor("w1")
                calls = 0
                var doc = postings.doc
                while doc != PostingsCursor.exhausted {
                    doc = try postings.advance(to: doc + stride)
                    calls += 1
                }
                blackHole(doc)
            }
            precondition(calls > 0)
            benchmark.measurement(advanceCalls, calls)
        }
    }

    let intersections: [(String, Query)] = [
        ("w1 AND w2 (dense × dense)", .all([term("w1"), term("w2")])),
        ("w1 AND w1000 (dense × sparse)", .all([term("w1"), term("w1000")])),
    ]
    for (label, query) in intersections {
        Benchmark("top-10 \(label), 1M docs") { benchmark in
            for _ in benchmark.scaledIterations {
                let hits = try searcher.search(query, limit: 10).hits
                precondition(hits.count == 10)
            }
        }
        Benchmark("count \(label), 1M docs") { benchmark in
            for _ in benchmark.scaledIterations {
                let count = try searcher.count(query)
                precondition(count > 0)
            }
        }
    }

    let disjunctions: [(String, Query)] = [
        ("w2 OR w20", .any([term("w2"), term("w20")])),
        ("w2 OR w20 OR w200 OR w2000", .any([term("w2"), term("w20"), term("w200"), term("w2000")])),
    ]
    for (label, query) in disjunctions {
        for (strategyLabel, strategy) in [("pruned", .automatic), ("exhaustive", .exhaustive)]
            as [(String, IndexSearcher.Strategy)]
        {
            Benchmark("top-10 \(label), \(strategyLabel), 1M docs") { benchmark in
                for _ in benchmark.scaledIterations {
                    let hits = try searcher.search(query, limit: 10, strategy: strategy).hits
                    precondition(hits.count == 10)
                }
            }
        }
    }

    let counts: [(String, Query)] = [("w1", term("w1"))] + disjunctions
    for (label, query) in counts {
        Benchmark("count \(label), 1M docs") { benchmark in
            for _ in benchmark.scaledIterations {
                let count = try searcher.count(query)
                precondition(count > 0)
            }
        }
    }

    let phrase = Query.phrase(field: "body", text: "w1 w2", slop: 0)
    Benchmark("top-10 phrase \"w1 w2\", 1M docs") { benchmark in
        for _ in benchmark.scaledIterations {
            let hits = try searcher.search(phrase, limit: 10).hits
            precondition(hits.count == 10)
        }
    }
    Benchmark("count phrase \"w1 w2\", 1M docs") { benchmark in
        for _ in benchmark.scaledIterations {
            let count = try searcher.count(phrase)
            precondition(count > 0)
        }
    }
}
