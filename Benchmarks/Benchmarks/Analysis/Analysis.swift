// What this measures: the `standard` analyzer's throughput (MB/s of UTF-8 input) on real ASCII
// English text, through the ASCII fast path and, for comparison, forced through ICU; and the
// `english` analyzer (stop words + Snowball). Input: the ASCII paragraphs of Debian's
// /var/lib/dpkg/status and common licences (~MBs of package descriptions), read once.
// Each run analyzes every paragraph; the token count is checked so the work cannot be dropped.
import Benchmark
import Foundation
import TalyIndex

let paragraphs: [String] = {
    let sources = ["/var/lib/dpkg/status", "/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/Apache-2.0"]
    var text = ""
    for path in sources {
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
            fatalError("benchmark input \(path) is missing")
        }
        text += contents + "\n\n"
    }
    return text.components(separatedBy: "\n\n").filter { !$0.isEmpty && $0.utf8.allSatisfy { $0 < 0x80 } }
}()
let inputBytes = paragraphs.reduce(0) { $0 + $1.utf8.count }

func analyzeAll(_ analyze: (String, inout TokenBuffer) throws -> Void) throws -> Int {
    var tokens = TokenBuffer()
    var count = 0
    for paragraph in paragraphs {
        try analyze(paragraph, &tokens)
        count += tokens.count
    }
    return count
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 50
    )

    Benchmark("standard analyzer, ASCII fast path (bytes = \(inputBytes))") { benchmark in
        let analyzer = try StandardAnalyzer()
        for _ in benchmark.scaledIterations {
            let count = try analyzeAll { try analyzer.analyze($0, into: &$1) }
            precondition(count > 0)
            blackHole(count)
        }
    }

    Benchmark("standard analyzer, ICU path on the same text (bytes = \(inputBytes))") { benchmark in
        let analyzer = try StandardAnalyzer()
        for _ in benchmark.scaledIterations {
            let count = try analyzeAll { try analyzer.analyzeWithICU($0, into: &$1) }
            precondition(count > 0)
            blackHole(count)
        }
    }

    Benchmark("english analyzer: stop words + Snowball (bytes = \(inputBytes))") { benchmark in
        let analyzer = try EnglishAnalyzer()
        for _ in benchmark.scaledIterations {
            let count = try analyzeAll { try analyzer.analyze($0, into: &$1) }
            precondition(count > 0)
            blackHole(count)
        }
    }
}
