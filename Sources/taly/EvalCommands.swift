import ArgumentParser
import Foundation
import TalyIndex
import TalyIngest

/// `taly eval`: measurements of the engine against published references.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure the engine against reference collections.",
        subcommands: [Relevance.self]
    )

    /// `taly eval relevance`: BM25 effectiveness on a relevance test collection.
    struct Relevance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Index a relevance test collection, run its queries and score the run with trec_eval_lite.",
            discussion: """
                Reads <data>/<collection>/docs.jsonl, queries.tsv and qrels.txt, indexes title + "\\n" + body \
                in a temporary index, searches every query as a bag of words (OR of its analyzed terms, \
                BM25, top 1,000), writes a TREC run and scores it with \
                <shared>/bench/relevance/trec_eval_lite.py (python3): map, P.10, P.30, ndcg_cut.10. \
                The run is also scored by taly itself, and a disagreement with trec_eval_lite is an error. \
                The defaults reproduce Anserini's published CACM BM25 (MAP 0.3123, P@30 0.1942).
                """
        )

        @Option(help: "The collection: a directory of the data directory (cacm, cranfield).")
        var collection: String
        @Option(
            help: """
                The shared data directory (default: $TALY_SHARED/data, else ../shared/data, else /work/shared/data).
                """)
        var data: String?
        @Option(help: "BM25 term-frequency saturation.")
        var k1: Float = 0.9
        @Option(help: "BM25 length normalization, 0...1.")
        var b: Float = 0.4
        @Option(
            help: "The analyzer of the indexed text: \(AnalyzerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var analyzer: String = AnalyzerKind.englishPorter.rawValue
        @Option(help: "Keep the TREC run file at this path (default: a temporary file, removed).")
        var runFile: String?
        @Option(help: "The evaluator script (default: <data>/../bench/relevance/trec_eval_lite.py).")
        var trecEval: String?
        @Option(help: "The Python 3 interpreter that runs the evaluator.")
        var python = "python3"

        /// The trec_eval measures printed, in order.
        static let measures = ["map", "P.10", "P.30", "ndcg_cut.10"]

        func run() throws {
            guard k1.isFinite && k1 >= 0 else { fail("--k1 must be a finite number >= 0") }
            guard b >= 0 && b <= 1 else { fail("--b must be within 0...1") }
            guard let kind = AnalyzerKind(rawValue: analyzer) else {
                fail("--analyzer must be one of \(AnalyzerKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let dataDirectory = data.map { URL(fileURLWithPath: $0) } ?? Self.defaultDataDirectory()
            guard let dataDirectory, FileManager.default.fileExists(atPath: dataDirectory.path) else {
                fail(
                    "no shared data directory (\(data ?? "looked for $TALY_SHARED/data, ../shared/data, /work/shared/data")): pass --data DIR"
                )
            }
            let script =
                trecEval
                ?? dataDirectory.deletingLastPathComponent().appendingPathComponent("bench/relevance/trec_eval_lite.py")
                .path
            guard FileManager.default.fileExists(atPath: script) else {
                fail("the evaluator \(script) does not exist: pass --trec-eval PATH")
            }
            guard let interpreter = Self.executable(named: python) else {
                fail("\(python) not found (it runs \(script)): install Python 3 or pass --python PATH")
            }

            let collectionDirectory = dataDirectory.appendingPathComponent(collection).path
            let loaded = orFail { () throws(RelevanceError) in
                try RelevanceCollection.load(directory: collectionDirectory)
            }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "taly-eval-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let evaluator = RelevanceEvaluator(analyzer: kind, bm25: BM25Parameters(k1: k1, b: b))
            let started = Date()
            let run = orFail { () throws(RelevanceError) in
                try evaluator.run(loaded, indexDirectory: scratch.appendingPathComponent("index").path)
            }
            let seconds = Date().timeIntervalSince(started)
            let runPath = runFile ?? scratch.appendingPathComponent("run.txt").path
            do {
                try Data(run.trecFormat().utf8).write(to: URL(fileURLWithPath: runPath))
            } catch {
                fail("cannot write the run file \(runPath): \((error as NSError).localizedDescription)")
            }

            let qrels = URL(fileURLWithPath: collectionDirectory).appendingPathComponent("qrels.txt").path
            let output = Self.runEvaluator(
                interpreter, arguments: [script, qrels, runPath] + Self.measures.flatMap { ["-m", $0] })
            print(
                "\(collection): \(loaded.documents.count) documents, \(loaded.topics.count) queries, analyzer \(kind.rawValue), "
                    + "BM25 k1=\(k1) b=\(b), indexed and searched in \(String(format: "%.1f", seconds)) s")
            print(output, terminator: output.hasSuffix("\n") ? "" : "\n")
            if runFile != nil { print("run file: \(runPath)") }
            Self.crossCheck(output, against: run.measures(against: loaded.judgments))
        }

        /// `$TALY_SHARED/data`, else `../shared/data` from the working directory, else
        /// `/work/shared/data`: the first that exists (the places the tests look too).
        static func defaultDataDirectory() -> URL? {
            var candidates: [URL] = []
            if let shared = ProcessInfo.processInfo.environment["TALY_SHARED"] {
                candidates.append(URL(fileURLWithPath: shared).appendingPathComponent("data"))
            }
            candidates.append(URL(fileURLWithPath: "../shared/data").standardizedFileURL)
            candidates.append(URL(fileURLWithPath: "/work/shared/data"))
            return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
        }

        /// `name` itself when it contains a slash, else the first executable `name` on `PATH`.
        static func executable(named name: String) -> String? {
            if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            return path.split(separator: ":").map { "\($0)/\(name)" }.first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
        }

        /// The evaluator's standard output; a launch failure or non-zero exit is a one-line error.
        static func runEvaluator(_ interpreter: String, arguments: [String]) -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: interpreter)
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            do {
                try process.run()
            } catch {
                fail("cannot run \(interpreter): \((error as NSError).localizedDescription)")
            }
            // Both pipes are small (a few lines), so reading one after the other cannot block.
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let line = problem.split(separator: "\n").last.map(String.init) ?? "no message"
                fail("\(arguments[0]) exited with status \(process.terminationStatus): \(line)")
            }
            return text
        }

        /// Fails when trec_eval_lite's figures (4 decimals) and taly's own differ beyond rounding:
        /// each implementation checks the other on every run.
        static func crossCheck(_ output: String, against measures: RelevanceMeasures) {
            let ours: [String: Double] = [
                "map": measures.meanAveragePrecision, "P_10": measures.precisionAt10,
                "P_30": measures.precisionAt30, "ndcg_cut_10": measures.ndcgAt10,
                "num_q": Double(measures.evaluatedQueries),
            ]
            var checked = 0
            for line in output.split(separator: "\n") {
                let fields = line.split(whereSeparator: \.isWhitespace)
                guard fields.count == 3, let theirs = Double(fields[2]), let own = ours[String(fields[0])] else {
                    continue
                }
                checked += 1
                if abs(theirs - own) > 0.00006 {
                    fail("trec_eval_lite reports \(fields[0]) \(fields[2]) but taly's own scoring gives \(own)")
                }
            }
            guard checked == ours.count else {
                fail("trec_eval_lite's output lacks some of \(ours.keys.sorted().joined(separator: ", ")):\n\(output)")
            }
        }
    }
}
