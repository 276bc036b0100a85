import Foundation
import TalyTestSupport
import Testing

@testable import TalyIngest

@Suite("reading lines")
struct LineReaderTests {
    func lines(of text: [UInt8], limit: Int = 1 << 20) throws -> [String] {
        let dir = try TemporaryDirectory()
        let path = dir.path("input")
        try Data(text).write(to: URL(fileURLWithPath: path))
        var reader = LineReader(handle: try #require(FileHandle(forReadingAtPath: path)), maximumLineLength: limit)
        var result: [String] = []
        while let line = try reader.next() {
            switch line {
            case .line(let bytes): result.append(String(decoding: bytes, as: UTF8.self))
            case .tooLong(let length): result.append("<too long: \(length)>")
            }
        }
        return result
    }

    @Test("LF and CRLF endings, a last line without newline, empty lines")
    func endings() throws {
        #expect(try lines(of: Array("a\r\nb\n\nc".utf8)) == ["a", "b", "", "c"])
        #expect(try lines(of: Array("a\n".utf8)) == ["a"])
        #expect(try lines(of: []).isEmpty)
    }

    @Test("a line over the limit is reported with its length and the next line still reads")
    func tooLong() throws {
        let long = String(repeating: "x", count: 3_000_000)
        #expect(
            try lines(of: Array("ok\n\(long)\nafter\n".utf8), limit: 1000) == ["ok", "<too long: 3000000>", "after"])
        #expect(try lines(of: Array("ok\n\(long)".utf8), limit: 1000) == ["ok", "<too long: 3000000>"])
    }

    @Test("lines longer than a read chunk are joined whole")
    func acrossChunks() throws {
        let line = String(repeating: "y", count: 2_500_000)
        #expect(try lines(of: Array("\(line)\nz".utf8), limit: 4 << 20) == [line, "z"])
    }
}
