import ArgumentParser
import Foundation
import TalyIndex

#if canImport(Glibc)
    import Glibc
#endif

extension BenchGameCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer COMMAND<TAB>QUERY lines on standard input, one line each, flushed.",
            discussion: """
                COUNT, TOP_10_COUNT, TOP_100_COUNT, TOP_1000_COUNT answer the hit count; TOP_10, \
                TOP_100, TOP_1000 answer 1; anything else UNSUPPORTED. Queries use Lucene syntax \
                (default operator OR); a malformed line gets an answer line, never an exit. \
                Errors go to standard error.
                """
        )
        @Argument(help: "The index directory built by `taly bench-game index`.")
        var directory: String

        func run() throws {
            let reader = orFail { () throws(IndexError) in try IndexReader.open(directory: directory) }
            let searcher = IndexSearcher(reader: reader)
            let parser = QueryParser()
            // Lines are read and answers written as bytes through C stdio with one reused line buffer:
            // `readLine` and `print` cost a few allocations and a stdout lock round trip per query, which
            // shows on queries of a few tens of µs.
            // Streams of our own over descriptors 0 and 1 (the C globals are shared mutable state to Swift 6).
            guard let input = fdopen(0, "r"), let output = fdopen(1, "w") else {
                throw ExitCode.failure
            }
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            defer { free(line) }
            while true {
                let read = getline(&line, &capacity, input)
                guard read >= 0, let line else { break }
                var length = read
                if length > 0 && line[length - 1] == 0x0A { length -= 1 }
                if length > 0 && line[length - 1] == 0x0D { length -= 1 }
                let bytes = UnsafeRawBufferPointer(start: line, count: length)
                var answer = Self.answer(bytes, searcher: searcher, parser: parser)
                answer.append("\n")
                answer.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, output) }
                fflush(output)  // the answer must leave now
            }
        }

        /// The one answer line (without its newline) for one request line, given as its bytes.
        static func answer(_ line: UnsafeRawBufferPointer, searcher: IndexSearcher, parser: QueryParser) -> String {
            guard let tab = line.firstIndex(of: 0x09) else { return "UNSUPPORTED" }
            let limit: Int
            let wantsCount: Bool
            switch String(decoding: UnsafeRawBufferPointer(rebasing: line[..<tab]), as: UTF8.self) {
            case "COUNT": (limit, wantsCount) = (0, true)
            case "TOP_10": (limit, wantsCount) = (10, false)
            case "TOP_100": (limit, wantsCount) = (100, false)
            case "TOP_1000": (limit, wantsCount) = (1000, false)
            case "TOP_10_COUNT": (limit, wantsCount) = (10, true)
            case "TOP_100_COUNT": (limit, wantsCount) = (100, true)
            case "TOP_1000_COUNT": (limit, wantsCount) = (1000, true)
            default: return "UNSUPPORTED"
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[(tab + 1)...]), as: UTF8.self)
            let query: Query
            do {
                query = try parser.parseStrict(text)
            } catch {
                reportFailure(of: text, error)
                return "UNSUPPORTED"
            }
            do {
                if limit == 0 { return String(try searcher.count(query)) }
                let hits = try searcher.search(query, limit: limit, countTotal: wantsCount)
                return wantsCount ? String(hits.totalCount ?? 0) : "1"
            } catch {
                reportFailure(of: text, error)
                return "UNSUPPORTED"
            }
        }

        /// Tells standard error why a query got UNSUPPORTED.
        private static func reportFailure(of text: String, _ error: any Error) {
            var message = "query \(text): \(error)\n"
            message.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        }
    }
}
