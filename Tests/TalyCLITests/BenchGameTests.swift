import Foundation
import TalyTestSupport
import Testing

/// The search-benchmark-game protocol through the real binary: index from stdin, then one
/// answer line per request line. Expected counts are computed here by splitting the generated
/// text on spaces, independently of Taly's analyzer.
@Suite("taly bench-game and taly search", .serialized)
struct BenchGameTests {
    static let words = ["linux", "kernel", "window", "manager", "python", "library", "the", "who", "game", "server"]

    static func texts() -> [String] {
        var random = SplitMix64(seed: 2024)
        return (0..<600).map { _ in
            (0..<Int.random(in: 3...25, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(
                separator: " ")
        }
    }

    static func run(_ arguments: [String], input: String) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = TalyProcess.executable
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("counts, top-k answers, UNSUPPORTED and malformed lines, one answer line each")
    func protocolAnswers() throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        let texts = Self.texts()
        let feed = texts.enumerated().map { #"{"id": "d\#($0.offset)", "text": "\#($0.element)"}"# }.joined(
            separator: "\n")
        #expect(try Self.run(["bench-game", "index", index], input: feed + "\n").status == 0)

        let tokenized = texts.map { $0.split(separator: " ").map(String.init) }
        func has(_ words: [String], _ word: String) -> Bool { words.contains(word) }
        func adjacent(_ words: [String], _ a: String, _ b: String) -> Bool {
            zip(words, words.dropFirst()).contains { $0 == a && $1 == b }
        }
        let expected: [(String, Int)] = [
            ("COUNT\tlinux", tokenized.filter { has($0, "linux") }.count),
            ("COUNT\tlinux kernel", tokenized.filter { has($0, "linux") || has($0, "kernel") }.count),
            ("COUNT\t+linux +kernel", tokenized.filter { has($0, "linux") && has($0, "kernel") }.count),
            ("COUNT\t\"the who\"", tokenized.filter { adjacent($0, "the", "who") }.count),
            ("COUNT\t+python -library", tokenized.filter { has($0, "python") && !has($0, "library") }.count),
            (
                "TOP_10_COUNT\t+\"window manager\" +game",
                tokenized.filter { adjacent($0, "window", "manager") && has($0, "game") }.count
            ),
            ("TOP_100_COUNT\tserver game", tokenized.filter { has($0, "server") || has($0, "game") }.count),
            ("COUNT\tabsentword", 0),
        ]
        var input = expected.map(\.0)
        input += ["TOP_10\tlinux kernel", "TOP_1000\t+the +who", "FACET\tx", "no tab at all", "COUNT\t\"unclosed", ""]
        let result = try Self.run(["bench-game", "serve", index], input: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        let answers = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(answers.count == input.count, "one answer line per request line")
        for (index, (request, count)) in expected.enumerated() {
            #expect(answers[index] == String(count), "\(request)")
        }
        #expect(
            Array(answers[expected.count...]) == ["1", "1", "UNSUPPORTED", "UNSUPPORTED", "UNSUPPORTED", "UNSUPPORTED"])
    }

    @Test("taly search prints ranked hits, best first, and names a syntax error's position")
    func search() throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        let feed = [
            #"{"id": "a", "text": "kernel kernel kernel linux"}"#,
            #"{"id": "b", "text": "kernel python library game server"}"#,
            #"{"id": "c", "text": "python only"}"#,
        ].joined(separator: "\n")
        #expect(try Self.run(["bench-game", "index", index], input: feed + "\n").status == 0)
        let result = try TalyProcess.run(["search", "--index", index, "--query", "kernel", "--json"])
        #expect(result.status == 0)
        let hits = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(hits.map { $0["id"] as? String } == ["a", "b"])
        let scores = hits.compactMap { $0["score"] as? Double }
        #expect(scores.count == 2 && scores[0] > scores[1])
        // The bench-game schema stores no text: no highlights, an empty snippet.
        #expect(hits.allSatisfy { $0["snippet"] as? String == "" && ($0["highlights"] as? [Any])?.isEmpty == true })
        let bad = try TalyProcess.run(["search", "--index", index, "--query", "(kernel"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("taly: error: ") && bad.stderr.contains("at 0"), "\(bad.stderr)")
    }
}
