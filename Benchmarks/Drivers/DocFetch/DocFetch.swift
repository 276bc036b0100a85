// Stored-document fetch cost on a real query log: runs each query of a JSON-lines log (`query`
// field) for its top 10 hits, then times fetching those hits' stored bytes from the `.store`
// files, and replays the fetch sequence against LRU block caches of several sizes to show
// which cache size pays. `swift run -c release DocFetch INDEX_DIR QUERIES.jsonl [rounds]`.
import Foundation
import TalyIndex

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: DocFetch INDEX_DIR QUERIES.jsonl [rounds]\n".utf8))
    exit(2)
}
let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5

let reader: IndexReader
do { reader = try IndexReader.open(directory: arguments[1]) } catch {
    FileHandle.standardError.write(Data("DocFetch: \(error)\n".utf8))
    exit(1)
}
let searcher = IndexSearcher(reader: reader)
let parser = QueryParser()
var fetches: [(segment: Int, document: UInt32)] = []
var queryCount = 0
for line in try String(contentsOfFile: arguments[2], encoding: .utf8).split(separator: "\n") {
    guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let text = object["query"] as? String, let query = try? parser.parseStrict(text),
        let top = try? searcher.search(query, limit: 10)
    else { continue }
    queryCount += 1
    fetches += top.hits.map { ($0.segment, $0.document) }
}
let blockCounts = reader.segments.map { String($0.storedDocuments.blockCount) }.joined(separator: " + ")
print("\(queryCount) queries, \(fetches.count) fetches over \(reader.segments.count) segments of \(blockCounts) blocks")

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

// Each round uses freshly opened readers, so no round starts with the previous one's cache.
var bytes = 0
for round in 1...rounds {
    let fresh = try IndexReader.open(directory: arguments[1])
    let elapsed = try seconds {
        for (segment, document) in fetches {
            bytes &+= try fresh.segments[segment].storedDocuments.document(document).count
        }
    }
    let perFetch = elapsed * 1e6 / Double(fetches.count)
    print("round \(round): \(String(format: "%.2f", perFetch)) µs per fetched document")
}

// The block sequence the fetches touch, replayed against per-segment LRU caches.
let blockSequence = fetches.map {
    ($0.segment, reader.segments[$0.segment].storedDocuments.blockNumber(containing: $0.document))
}
for capacity in [1, 2, 4, 8, 16] {
    var caches = [[Int]](repeating: [], count: reader.segments.count)
    var hits = 0
    for (segment, block) in blockSequence {
        if let index = caches[segment].firstIndex(of: block) {
            hits += 1
            caches[segment].remove(at: index)
        } else if caches[segment].count == capacity {
            caches[segment].removeFirst()
        }
        caches[segment].append(block)
    }
    let rate = Double(hits) * 100 / Double(blockSequence.count)
    print("LRU of \(capacity) blocks per segment: \(String(format: "%.1f", rate))% of fetches hit")
}
print("(\(bytes) bytes fetched)")
