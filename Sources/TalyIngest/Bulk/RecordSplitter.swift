import Foundation

/// How bulk input frames its records.
public enum BulkInputFormat: String, Sendable, CaseIterable {
    /// Told apart by the first byte that is not white space: `[` a JSON array, `{` JSON Lines,
    /// anything else CSV.
    case auto
    /// One JSON object per line.
    case jsonLines = "jsonl"
    /// One JSON array of objects.
    case jsonArray = "json"
    /// A header row of column names, then one record per row (RFC 4180 quoting).
    case csv
}

/// The longest record accepted, in bytes: one oversized record cannot exhaust memory.
let maximumRecordLength = 16 << 20

/// Records cut out of the input, in input order, sharing one byte buffer.
struct RecordChunk: Sendable {
    /// The chunk's position among chunks, for putting results back in order.
    let sequence: Int
    var bytes: [UInt8] = []
    var records: [RecordSpan] = []
}

/// Where one record's bytes are in its chunk, and where it was in the input.
struct RecordSpan: Sendable {
    let start: Int
    let end: Int
    /// The 1-based input line the record starts on.
    let line: Int
    /// The record's 0-based position among the input's records (a CSV header is not a record).
    let ordinal: Int64
    /// The record was longer than the limit; its bytes were dropped.
    var tooLong = false
}

/// Cuts the decoded input into records, finding JSON Lines, JSON array elements or CSV rows
/// without parsing them (the parallel stage parses); also finds the format and a CSV header.
final class RecordSplitter<Source: IngestByteSource> {
    static var maximumRecordLength: Int { TalyIngest.maximumRecordLength }

    private var source: Source
    private(set) var format: BulkInputFormat
    private let chunkRecords: Int
    /// The CSV header's cells, once read.
    private(set) var csvHeader: [String]?
    private var csvHeaderLine = 0

    /// Storage; the input bytes are `buffer[..<filled]`.
    private var buffer: [UInt8] = []
    private var filled = 0
    private var position = 0
    private static var readSize: Int { 1 << 20 }
    private var finished = false
    private var line = 1
    private var ordinal: Int64 = 0
    private var sequence = 0

    // JSON array state.
    private var arrayOpened = false
    private var arrayClosed = false
    private var elementsSeen = 0

    /// Bytes the source took from the underlying input.
    var rawBytesRead: Int { source.rawBytesRead }

    /// Records per chunk unless told otherwise: enough to amortize a queue hand-off per chunk.
    static var defaultChunkRecords: Int { 256 }

    init(source: Source, format: BulkInputFormat, chunkRecords: Int = defaultChunkRecords) {
        self.source = source
        self.format = format
        self.chunkRecords = chunkRecords
    }

    /// Drops the bytes before `keep`, then reads more input after the rest; false at the end of
    /// the input. The storage only grows (by doubling) when a record outgrows it.
    private func fill(keeping keep: Int) throws(BulkIngestError) -> Bool {
        if keep > 0 {
            let kept = filled - keep
            buffer.withUnsafeMutableBytes { bytes in
                let base = bytes.baseAddress!
                memmove(base, base + keep, kept)
            }
            filled = kept
            position -= keep
        }
        if buffer.count - filled < Self.readSize {
            buffer.append(contentsOf: [UInt8](repeating: 0, count: max(Self.readSize, buffer.count)))
        }
        let start = filled
        let count = try buffer.withMutableBytes { bytes throws(BulkIngestError) in
            try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[start..<start + Self.readSize]))
        }
        filled += count
        if count == 0 { finished = true }
        return count > 0
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The next chunk of records, or nil at the end.
    func nextChunk() throws(BulkIngestError) -> RecordChunk? {
        if format == .auto { try detectFormat() }
        var chunk = RecordChunk(sequence: sequence)
        while chunk.records.count < chunkRecords {
            let found: Bool
            switch format {
            case .jsonLines, .auto: found = try nextLine(into: &chunk)
            case .csv: found = try nextCSVRow(into: &chunk)
            case .jsonArray: found = try nextArrayElement(into: &chunk)
            }
            if !found { break }
        }
        guard !chunk.records.isEmpty else { return nil }
        sequence += 1
        return chunk
    }

    private func detectFormat() throws(BulkIngestError) {
        while true {
            if position == 0 && filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
                buffer.removeFirst(3)  // a UTF-8 byte order mark, as spreadsheets write
            }
            if let first = buffer[position..<filled].first(where: { !Self.isSpace($0) }) {
                format = first == UInt8(ascii: "[") ? .jsonArray : first == UInt8(ascii: "{") ? .jsonLines : .csv
                return
            }
            let more = finished ? false : try fill(keeping: 0)
            if !more {
                format = .jsonLines
                return
            }
        }
    }

    private func append(_ start: Int, _ end: Int, line: Int, into chunk: inout RecordChunk) {
        let chunkStart = chunk.bytes.count
        chunk.bytes.append(contentsOf: buffer[start..<end])
        chunk.records.append(RecordSpan(start: chunkStart, end: chunk.bytes.count, line: line, ordinal: ordinal))
        ordinal += 1
    }

    /// One JSON Lines record; blank lines are skipped but counted.
    private func nextLine(into chunk: inout RecordChunk) throws(BulkIngestError) -> Bool {
        var skipped = 0
        while true {
            let (from, limit) = (position, filled)
            let newline = buffer.withUnsafeBytes { bytes -> Int? in
                guard from < limit, let found = memchr(bytes.baseAddress! + from, 0x0A, limit - from)
                else { return nil }
                return UnsafeRawPointer(found) - UnsafeRawPointer(bytes.baseAddress!)
            }
            if newline == nil && !finished {
                if filled - position > Self.maximumRecordLength {
                    skipped += filled - position
                    position = filled
                }
                _ = try fill(keeping: position)
                continue
            }
            let end = newline ?? filled
            guard end > position || newline != nil || skipped > 0 else { return false }
            let start = position
            let recordLine = line
            position = newline.map { $0 + 1 } ?? end
            line += 1
            if skipped > 0 {
                chunk.records.append(
                    RecordSpan(
                        start: chunk.bytes.count, end: chunk.bytes.count, line: recordLine, ordinal: ordinal,
                        tooLong: true))
                ordinal += 1
                return true
            }
            var last = end
            while last > start && Self.isSpace(buffer[last - 1]) { last -= 1 }
            var first = start
            while first < last && Self.isSpace(buffer[first]) { first += 1 }
            if first == last {
                if newline == nil { return false }
                continue
            }
            append(first, last, line: recordLine, into: &chunk)
            return true
        }
    }

    /// One CSV row (quoted cells may hold newlines); the first row is the header.
    private func nextCSVRow(into chunk: inout RecordChunk) throws(BulkIngestError) -> Bool {
        while true {
            var index = position
            var inQuotes = false
            var newlines = 0
            var end: Int?
            while true {
                while index < filled {
                    let byte = buffer[index]
                    if byte == 0x22 {
                        inQuotes.toggle()
                    } else if byte == 0x0A {
                        if !inQuotes {
                            end = index
                            break
                        }
                        newlines += 1
                    }
                    index += 1
                }
                if end != nil || finished { break }
                if index - position > Self.maximumRecordLength {
                    throw .malformedInput(
                        line: line,
                        reason: "a CSV row longer than \(Self.maximumRecordLength) bytes (an unclosed quote?)")
                }
                let consumed = position
                _ = try fill(keeping: consumed)
                index -= consumed
            }
            if end == nil && inQuotes {
                throw .malformedInput(line: line, reason: "a quoted CSV cell is not closed before the end of the input")
            }
            let stop = end ?? filled
            guard stop > position || end != nil else { return false }
            let start = position
            let recordLine = line
            position = end.map { $0 + 1 } ?? stop
            line += 1 + newlines
            var last = stop
            if last > start && buffer[last - 1] == 0x0D { last -= 1 }
            if last == start {
                if end == nil { return false }
                continue
            }
            if csvHeader == nil {
                let cells = CSVRow.cells(buffer[start..<last])
                guard case .success(let names) = cells else {
                    throw .malformedInput(line: recordLine, reason: "the CSV header row is not valid CSV")
                }
                csvHeader = names
                csvHeaderLine = recordLine
                continue
            }
            append(start, last, line: recordLine, into: &chunk)
            return true
        }
    }

    /// One element of the top-level JSON array.
    private func nextArrayElement(into chunk: inout RecordChunk) throws(BulkIngestError) -> Bool {
        if arrayClosed {
            try expectOnlySpaceToEnd()
            return false
        }
        var depth = 0
        var inString = false
        var escaped = false
        var start: Int?
        var startLine = line
        var index = position
        while true {
            if index == filled {
                let more = finished ? false : try fill(keeping: start ?? index)
                if !more {
                    throw .malformedInput(
                        line: line, reason: "the JSON array is not closed before the end of the input")
                }
                let consumed = start ?? index
                if start != nil { start = 0 }
                index -= consumed
                continue
            }
            let byte = buffer[index]
            if byte == 0x0A { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == 0x5C {
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
                index += 1
                continue
            }
            if !arrayOpened {
                if byte == UInt8(ascii: "[") {
                    arrayOpened = true
                } else if !Self.isSpace(byte) {
                    throw .malformedInput(line: line, reason: "expected a JSON array")
                }
                index += 1
                continue
            }
            if depth == 0 && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")) {
                let isClose = byte == UInt8(ascii: "]")
                position = index + 1
                if isClose { arrayClosed = true }
                guard let begin = start else {
                    if isClose && elementsSeen == 0 { return false }
                    throw .malformedInput(line: line, reason: "an empty element in the JSON array")
                }
                var last = index
                while last > begin && Self.isSpace(buffer[last - 1]) { last -= 1 }
                elementsSeen += 1
                append(begin, last, line: startLine, into: &chunk)
                return true
            }
            if start == nil && !Self.isSpace(byte) {
                start = index
                startLine = line
            }
            if start != nil && filled - start! > Self.maximumRecordLength {
                throw .malformedInput(
                    line: startLine, reason: "an array element longer than \(Self.maximumRecordLength) bytes")
            }
            switch byte {
            case 0x22: inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            index += 1
        }
    }

    private func expectOnlySpaceToEnd() throws(BulkIngestError) {
        while true {
            if let stray = buffer[position..<filled].firstIndex(where: { !Self.isSpace($0) }) {
                _ = stray
                throw .malformedInput(line: line, reason: "text after the end of the JSON array")
            }
            position = filled
            let more = finished ? false : try fill(keeping: position)
            if !more { return }
        }
    }
}
