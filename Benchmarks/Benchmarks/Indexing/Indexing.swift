// What this measures: building an index with IndexWriter, in documents/s and MB/s of text, with
// one and two indexing threads (flush, fsync and commit included); and merging ten segments
// into one, in MB/s of segment files read. Input: the Debian package descriptions of
// /var/lib/dpkg/status (name, synopsis and long description per package), repeated to about
// 20,000 documents. Each run writes a fresh index in a temporary directory; the committed
// document count is checked so the work cannot be skipped.
import Benchmark
import Foundation
import TalyIndex

let schema = try! Schema(
    fields: [
        .init("id", .keyword(stored: true, multiValued: false)),
        .init("text", .text(analyzer: .standard, stored: false)),
    ],
    idField: "id"
)

let documents: [Document] = {
    guard let status = try? String(contentsOfFile: "/var/lib/dpkg/status", encoding: .utf8) else {
        fatalError("benchmark input /var/lib/dpkg/status is missing")
    }
    let paragraphs = status.components(separatedBy: "\n\n").filter { $0.contains("Description:") }
    var result: [Document] = []
    var round = 0
    while result.count < 20_000 {
        for paragraph in paragraphs where result.count < 20_000 {
            result.append(Document(["id": .keyword(["\(round)-\(result.count)"]), "text": .text(paragraph)]))
        }
        round += 1
    }
    return result
}()
let textBytes = documents.reduce(0) { total, document in
    if case .text(let text)? = document["text"] { return total + text.utf8.count }
    return total
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "taly-bench-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func directorySize(_ directory: String) -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.reduce(0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0)
    }
}

func index(into directory: String, threads: Int, batches: Int = 1) throws {
    let writer = try IndexWriter(
        directory: directory,
        schema: schema,
        options: IndexWriterOptions(indexingThreads: threads, mergesInBackground: false)
    )
    let size = documents.count / batches
    for batch in 0..<batches {
        try writer.add(Array(documents[(batch * size)..<((batch + 1) * size)]))
        if batches > 1 { try writer.commit() }
    }
    try writer.commit()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 10
    )

    for threads in [1, 2] {
        Benchmark("index \(documents.count) documents (\(textBytes) bytes of text), \(threads) thread(s)") {
            benchmark in
            for _ in benchmark.scaledIterations {
                let directory = temporaryDirectory()
                defer { try? FileManager.default.removeItem(atPath: directory) }
                benchmark.startMeasurement()
                try index(into: directory, threads: threads)
                benchmark.stopMeasurement()
                let committed = try IndexReader.open(directory: directory).documentCount
                precondition(committed == documents.count)
            }
        }
    }

    let mergeInputBytes: Int = {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try! index(into: directory, threads: 1, batches: 10)
        return directorySize(directory)
    }()
    Benchmark("merge 10 segments (\(mergeInputBytes) bytes of files) into one") { benchmark in
        for _ in benchmark.scaledIterations {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try index(into: directory, threads: 1, batches: 10)
            let writer = try IndexWriter(
                directory: directory, schema: schema, options: .init(mergesInBackground: false))
            benchmark.startMeasurement()
            try writer.forceMerge(maximumSegments: 1)
            benchmark.stopMeasurement()
            let reader = try IndexReader.open(directory: directory)
            precondition(reader.segments.count == 1 && reader.documentCount == documents.count)
        }
    }
}
