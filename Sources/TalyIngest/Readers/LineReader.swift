import Foundation

/// Reads newline-delimited records (JSON Lines, CSV rows) from a file descriptor in large chunks,
/// handing out each line's bytes without copying them into a `String` first.
///
/// Lines end with `\n` (a preceding `\r` is dropped); a last line without a newline is still a
/// line. A line longer than `maximumLineLength` is reported as too long and skipped, so one
/// oversized record cannot exhaust memory or stop the load.
public struct LineReader: ~Copyable {
    /// The longest line accepted, in bytes.
    public let maximumLineLength: Int
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    /// The 1-based number of the line last returned.
    public private(set) var lineNumber = 0

    /// A reader over `handle` (standard input, a file).
    public init(handle: FileHandle, maximumLineLength: Int = 16 << 20) {
        self.handle = handle
        self.maximumLineLength = maximumLineLength
    }

    /// What `next` found.
    public enum Line {
        /// A line within the limit; the bytes are valid until the next call.
        case line(ArraySlice<UInt8>)
        /// A line over the limit (its bytes are skipped).
        case tooLong(length: Int)
    }

    /// The next line, or nil at the end of the input.
    public mutating func next() throws -> Line? {
        var skipping = 0
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                let lineStart = start
                start = newline + 1
                lineNumber += 1
                if skipping > 0 { return .tooLong(length: skipping + (newline - lineStart)) }
                if end > lineStart && buffer[end - 1] == 0x0D { end -= 1 }
                return .line(buffer[lineStart..<end])
            }
            if finished {
                guard start < buffer.count || skipping > 0 else { return nil }
                lineNumber += 1
                let line = buffer[start...]
                start = buffer.count
                if skipping > 0 { return .tooLong(length: skipping + line.count) }
                return .line(line)
            }
            // Keep the partial line, drop what was consumed, then read more.
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            if buffer.count > maximumLineLength {
                skipping += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
