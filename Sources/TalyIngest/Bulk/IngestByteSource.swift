import CZlib
import CZstd
import Foundation

/// A stream of bytes a bulk ingest reads: a file, standard input, a request body.
public protocol IngestByteSource {
    /// Fills up to `buffer.count` bytes and returns how many; 0 means the end of the input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(BulkIngestError) -> Int
    /// Bytes taken from the underlying input so far (compressed bytes for compressed input):
    /// what progress and the ETA are measured against.
    var rawBytesRead: Int { get }
}

/// Reads a file descriptor (a file, a pipe, standard input); does not close it.
public struct FileDescriptorSource: IngestByteSource {
    /// The descriptor read from.
    public let descriptor: Int32
    public private(set) var rawBytesRead = 0

    /// A source over `descriptor`.
    public init(descriptor: Int32) { self.descriptor = descriptor }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(BulkIngestError) -> Int {
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                rawBytesRead += count
                return count
            }
            if errno == EINTR { continue }
            throw .cannotRead(reason: String(cString: strerror(errno)))
        }
    }
}

/// Plain, gzip or zstd input, told apart by the first bytes (`1F 8B`, `28 B5 2F FD`), never by
/// a file name; decompresses as it reads. Concatenated gzip members and zstd frames are read
/// one after the other, as `zcat` and `zstdcat` do.
public struct DecompressingSource<Base: IngestByteSource>: IngestByteSource {
    /// The compression the first bytes announced.
    public enum Compression: String, Sendable {
        case none, gzip, zstd
    }

    private var base: Base
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private var baseFinished = false
    /// What the first bytes announced.
    public let compression: Compression
    private let decoder: StreamDecoder?

    public var rawBytesRead: Int { base.rawBytesRead }

    /// Reads the first bytes of `base` to find its compression.
    public init(_ base: Base) throws(BulkIngestError) {
        var base = base
        var input = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        var baseFinished = false
        while filled < 4 {
            let count = try input.withMutableBytes { buffer throws(BulkIngestError) in
                try base.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
            if count == 0 {
                baseFinished = true
                break
            }
            filled += count
        }
        if filled >= 2 && input[0] == 0x1F && input[1] == 0x8B {
            compression = .gzip
            decoder = try StreamDecoder(gzip: ())
        } else if filled >= 4 && input[0] == 0x28 && input[1] == 0xB5 && input[2] == 0x2F && input[3] == 0xFD {
            compression = .zstd
            decoder = try StreamDecoder(zstd: ())
        } else {
            compression = .none
            decoder = nil
        }
        self.base = base
        self.input = input
        self.inputEnd = filled
        self.baseFinished = baseFinished
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(BulkIngestError) -> Int {
        while true {
            if inputStart == inputEnd && !baseFinished {
                inputStart = 0
                inputEnd = try input.withMutableBytes { bytes throws(BulkIngestError) in
                    try base.read(into: bytes)
                }
                if inputEnd == 0 { baseFinished = true }
            }
            guard let decoder else {
                let count = min(buffer.count, inputEnd - inputStart)
                input.withUnsafeBytes { bytes in
                    buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + inputStart, byteCount: count)
                }
                inputStart += count
                return count
            }
            let available = inputEnd - inputStart
            let (consumed, produced) = try input.withBytes { bytes throws(BulkIngestError) in
                try decoder.decode(
                    UnsafeRawBufferPointer(rebasing: bytes[inputStart..<inputEnd]), into: buffer,
                    finished: baseFinished)
            }
            inputStart += consumed
            if produced > 0 { return produced }
            if baseFinished && inputStart == inputEnd {
                guard decoder.atFrameBoundary else {
                    throw .corruptInput(reason: "the \(compression.rawValue) stream ends in the middle")
                }
                return 0
            }
            if consumed == 0 && available > 0 && !baseFinished {
                // The decoder wants more than what is buffered: keep the tail, read more after it.
                input.withUnsafeMutableBytes { bytes in
                    let base = bytes.baseAddress!
                    memmove(base, base + inputStart, available)
                }
                inputEnd = available
                inputStart = 0
                let more = try input.withMutableBytes { bytes throws(BulkIngestError) in
                    try base.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[available...]))
                }
                if more == 0 { baseFinished = true }
                inputEnd += more
            }
        }
    }
}

/// zlib or zstd streaming state behind one interface (a class: the C states must not move).
final class StreamDecoder {
    private var zlib: UnsafeMutablePointer<z_stream>?
    private var zstd: OpaquePointer?
    /// True between frames (or members): the input may end here.
    private(set) var atFrameBoundary = true

    init(gzip: Void) throws(BulkIngestError) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a gzip header is expected and checked.
        guard inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw .corruptInput(reason: "cannot start the gzip decoder")
        }
        zlib = stream
    }

    init(zstd: Void) throws(BulkIngestError) {
        guard let stream = ZSTD_createDStream() else {
            throw .corruptInput(reason: "cannot start the zstd decoder")
        }
        ZSTD_initDStream(stream)
        self.zstd = stream
    }

    deinit {
        if let zlib {
            inflateEnd(zlib)
            zlib.deallocate()
        }
        if let zstd { ZSTD_freeDStream(zstd) }
    }

    /// Decodes from `input` into `output`; returns the bytes consumed and produced.
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, finished: Bool)
        throws(BulkIngestError) -> (consumed: Int, produced: Int)
    {
        if let zlib {
            if atFrameBoundary && input.isEmpty { return (0, 0) }
            zlib.pointee.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            zlib.pointee.avail_in = UInt32(input.count)
            zlib.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
            zlib.pointee.avail_out = UInt32(output.count)
            let status = inflate(zlib, Z_NO_FLUSH)
            let consumed = input.count - Int(zlib.pointee.avail_in)
            let produced = output.count - Int(zlib.pointee.avail_out)
            switch status {
            case Z_STREAM_END:
                atFrameBoundary = true
                inflateReset(zlib)
            case Z_OK, Z_BUF_ERROR:
                atFrameBoundary = false
            default:
                let message = zlib.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw .corruptInput(reason: "gzip: \(message)")
            }
            return (consumed, produced)
        }
        guard let zstd else { return (0, 0) }
        if atFrameBoundary && input.isEmpty { return (0, 0) }
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let status = ZSTD_decompressStream(zstd, &outBuffer, &inBuffer)
        if ZSTD_isError(status) != 0 {
            throw .corruptInput(reason: "zstd: \(String(cString: ZSTD_getErrorName(status)))")
        }
        atFrameBoundary = status == 0
        return (inBuffer.pos, outBuffer.pos)
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeMutableBytes` for a body with typed throws (the standard one rethrows `any Error`).
    mutating func withMutableBytes<Value>(
        _ body: (UnsafeMutableRawBufferPointer) throws(BulkIngestError) -> Value
    ) throws(BulkIngestError) -> Value {
        try withUnsafeMutableBytes { bytes in Result { () throws(BulkIngestError) in try body(bytes) } }.get()
    }

    /// `withUnsafeBytes` for a body with typed throws.
    func withBytes<Value>(_ body: (UnsafeRawBufferPointer) throws(BulkIngestError) -> Value) throws(BulkIngestError)
        -> Value
    {
        try withUnsafeBytes { bytes in Result { () throws(BulkIngestError) in try body(bytes) } }.get()
    }
}
