import Foundation
import TalyTestSupport
import Testing

@Suite("taly eval relevance")
struct EvalCommandTests {
    @Test("CACM is indexed, searched and scored by trec_eval_lite within Anserini's published band")
    func cacm() throws {
        let shared = try #require(TestEnvironment.sharedDirectory, "the shared material (../shared) is missing")
        let dir = try TemporaryDirectory()
        let runFile = dir.path("run.cacm.txt")
        let result = try TalyProcess.run(
            ["eval", "relevance", "--collection", "cacm", "--run-file", runFile],
            environment: ["TALY_SHARED": shared.path])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = Dictionary(
            result.stdout.split(separator: "\n").compactMap { line -> (String, Double)? in
                let fields = line.split(whereSeparator: \.isWhitespace)
                guard fields.count == 3, fields[1] == "all", let value = Double(fields[2]) else { return nil }
                return (String(fields[0]), value)
            },
            uniquingKeysWith: { first, _ in first })
        let map = try #require(figures["map"], "no map line in:\n\(result.stdout)")
        #expect(abs(map - 0.3123) <= 0.005)
        #expect(figures["num_q"] == 52)
        let runLines = try String(contentsOfFile: runFile, encoding: .utf8).split(separator: "\n")
        #expect(runLines.count > 52 * 100)
        #expect(runLines.allSatisfy { $0.split(separator: " ").count == 6 })
    }

    @Test(
        "a missing data directory, collection, evaluator or interpreter is one line naming it, and status 1",
        arguments: [
            (["--data", "/nonexistent/data"], "no shared data directory (/nonexistent/data)"),
            (["--collection", "nonexistent"], "nonexistent: no such collection directory"),
            (
                ["--trec-eval", "/nonexistent/trec_eval_lite.py"],
                "the evaluator /nonexistent/trec_eval_lite.py does not exist"
            ),
            (["--python", "/nonexistent/python3"], "/nonexistent/python3 not found"),
            (["--analyzer", "klingon"], "--analyzer must be one of"),
            (["--b", "1.5"], "--b must be within 0...1"),
        ])
    func missingPieces(arguments: [String], message: String) throws {
        let shared = try #require(TestEnvironment.sharedDirectory, "the shared material (../shared) is missing")
        var flags = ["--collection", "cacm"]
        if let index = flags.firstIndex(of: arguments[0]) {
            flags[index + 1] = arguments[1]
        } else {
            flags += arguments
        }
        let result = try TalyProcess.run(["eval", "relevance"] + flags, environment: ["TALY_SHARED": shared.path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.hasPrefix("taly: error: ") && result.stderr.contains(message), "\(result.stderr)")
    }
}
