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
            while let line = readLine(strippingNewline: true) {
                print(Self.answer(line, searcher: searcher, parser: parser))
                fflush(nil)  // every open output stream: the answer must leave now
            }
        }

        /// The one answer line for one request line.
        static func answer(_ line: String, searcher: IndexSearcher, parser: QueryParser) -> String {
            guard let tab = line.firstIndex(of: "\t") else { return "UNSUPPORTED" }
            let command = line[..<tab]
            let text = String(line[line.index(after: tab)...])
            let limit: Int
            let wantsCount: Bool
            switch command {
            case "COUNT": (limit, wantsCount) = (0, true)
            case "TOP_10": (limit, wantsCount) = (10, false)
            case "TOP_100": (limit, wantsCount) = (100, false)
            case "TOP_1000": (limit, wantsCount) = (1000, false)
            case "TOP_10_COUNT": (limit, wantsCount) = (10, true)
            case "TOP_100_COUNT": (limit, wantsCount) = (100, true)
            case "TOP_1000_COUNT": (limit, wantsCount) = (1000, true)
            default: return "UNSUPPORTED"
            }
            let query: Query
            do {
                query = try parser.parseStrict(text)
            } catch {
                FileHandle.standardError.write(Data("query \(text): \(error)\n".utf8))
                return "UNSUPPORTED"
            }
            do {
                if limit == 0 { return String(try searcher.count(query)) }
                let hits = try searcher.search(query, limit: limit, countTotal: wantsCount)
                return wantsCount ? String(hits.totalCount ?? 0) : "1"
            } catch {
                FileHandle.standardError.write(Data("query \(text): \(error)\n".utf8))
                return "UNSUPPORTED"
            }
        }
    }
}
