import CTalyChecksum

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one index file sequentially through a buffer, keeping the running CRC-32C, and frames
/// it with the common header and footer (see ``IndexFileLayout``).
///
/// Files are written once and never modified; `finish(sync:)` writes the footer and, when asked,
/// fsyncs, which a commit does before publishing the file in a manifest.
public final class IndexOutput {
    /// The path being written.
    public let path: String
    /// The file's base name, used in error messages.
    public let fileName: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var flushedBytes = 0
    private var crc: UInt32 = 0
    private static let bufferCapacity = 1 << 16

    /// Creates (truncating) `path` and writes the header of `kind` for `segment`.
    public init(path: String, kind: IndexFileKind, segment: SegmentID) throws(IndexError) {
        self.path = path
        self.fileName = path.split(separator: "/").last.map(String.init) ?? path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, operation: "create", reason: lastErrno()) }
        buffer.reserveCapacity(Self.bufferCapacity)
        writeUInt32(kind.magic)
        writeUInt32(kind.currentVersion)
        writeUInt64(segment.high)
        writeUInt64(segment.low)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Bytes written so far, header included: the offset the next byte lands at.
    public var offset: Int { flushedBytes + buffer.count }

    /// Appends one byte.
    public func writeUInt8(_ value: UInt8) {
        buffer.append(value)
        if buffer.count >= Self.bufferCapacity { try? flushBuffer() }
    }

    /// Appends a little-endian UInt16.
    public func writeUInt16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { writeBytes($0) } }
    /// Appends a little-endian UInt32.
    public func writeUInt32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { writeBytes($0) } }
    /// Appends a little-endian UInt64.
    public func writeUInt64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { writeBytes($0) } }

    /// Appends a LEB128 variable-length unsigned integer (1 to 10 bytes).
    public func writeVarUInt64(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            writeUInt8(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        writeUInt8(UInt8(rest))
    }

    /// Appends raw bytes.
    public func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferCapacity { try? flushBuffer() }
    }

    /// Appends raw bytes.
    public func writeBytes(_ bytes: [UInt8]) { bytes.withUnsafeBytes { writeBytes($0) } }

    /// Appends a length-prefixed (varint) UTF-8 string.
    public func writeString(_ string: String) {
        var copy = string
        copy.withUTF8 { utf8 in
            writeVarUInt64(UInt64(utf8.count))
            writeBytes(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Writes the footer, flushes, optionally fsyncs, and closes the file.
    public func finish(sync: Bool) throws(IndexError) {
        writeUInt32(IndexFileLayout.footerMagic)
        writeUInt32(IndexFileLayout.crc32cAlgorithm)
        try flushBuffer()
        // The checksum field itself is outside the checksum.
        withUnsafeBytes(of: UInt64(crc).littleEndian) { buffer.append(contentsOf: $0) }
        try flushBuffer(updatingChecksum: false)
        if sync, fsync(descriptor) != 0 { throw .io(path: path, operation: "fsync", reason: lastErrno()) }
        guard close(descriptor) == 0 else {
            descriptor = -1
            throw .io(path: path, operation: "close", reason: lastErrno())
        }
        descriptor = -1
    }

    /// Deferred write errors surface here or in `finish`: the buffer keeps them until then.
    private var pendingError: IndexError?

    private func flushBuffer(updatingChecksum: Bool = true) throws(IndexError) {
        if let pendingError { throw pendingError }
        guard !buffer.isEmpty else { return }
        let count = buffer.count
        let failure: IndexError? = buffer.withUnsafeBytes { bytes in
            if updatingChecksum { crc = taly_crc32c_update(crc, bytes.baseAddress, count) }
            var written = 0
            while written < count {
                let result = write(descriptor, bytes.baseAddress! + written, count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return IndexError.io(path: path, operation: "write", reason: lastErrno())
                }
                written += result
            }
            return nil
        }
        if let failure {
            pendingError = failure
            throw failure
        }
        flushedBytes += count
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The text of the current `errno`.
func lastErrno() -> String { String(cString: strerror(errno)) }
