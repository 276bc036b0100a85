/// A bounds-checked little-endian reader over part of a mapped file. Every read that would pass
/// the end throws ``IndexError/truncated(file:offset:needed:available:)`` naming the file.
public struct IndexInput {
    /// The bytes being read (a slice of the file).
    public let bytes: UnsafeRawBufferPointer
    /// The file name for error messages.
    public let fileName: String
    /// Offset of `bytes` in the file, so errors report file offsets.
    public let baseOffset: Int
    /// The next byte to read, relative to `bytes`.
    public var position: Int = 0

    /// A reader over `bytes`, which start at `baseOffset` in `fileName`.
    public init(bytes: UnsafeRawBufferPointer, fileName: String, baseOffset: Int = 0) {
        self.bytes = bytes
        self.fileName = fileName
        self.baseOffset = baseOffset
    }

    /// Bytes left to read.
    public var remaining: Int { bytes.count - position }

    /// Throws unless `count` more bytes are available.
    @inline(__always)
    public func require(_ count: Int) throws(IndexError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(file: fileName, offset: baseOffset + position, needed: count, available: max(remaining, 0))
        }
    }

    /// Reads one byte.
    public mutating func readUInt8() throws(IndexError) -> UInt8 {
        try require(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a little-endian UInt16.
    public mutating func readUInt16() throws(IndexError) -> UInt16 {
        try require(2)
        defer { position += 2 }
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self))
    }

    /// Reads a little-endian UInt32.
    public mutating func readUInt32() throws(IndexError) -> UInt32 {
        try require(4)
        defer { position += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    /// Reads a little-endian UInt64.
    public mutating func readUInt64() throws(IndexError) -> UInt64 {
        try require(8)
        defer { position += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    /// Reads a LEB128 variable-length unsigned integer of at most 10 bytes.
    public mutating func readVarUInt64() throws(IndexError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            let byte = try readUInt8()
            if shift == 63 && byte > 1 {
                throw .corrupt(file: fileName, reason: "varint at byte \(baseOffset + start) overflows 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a varint that must fit an `Int` no larger than `limit`, for counts and lengths.
    public mutating func readCount(limit: Int, what: String) throws(IndexError) -> Int {
        let at = baseOffset + position
        let value = try readVarUInt64()
        guard value <= UInt64(limit) else {
            throw .corrupt(file: fileName, reason: "\(what) \(value) at byte \(at) exceeds \(limit)")
        }
        return Int(value)
    }

    /// Returns the next `count` bytes without copying and moves past them.
    public mutating func readBytes(_ count: Int) throws(IndexError) -> UnsafeRawBufferPointer {
        try require(count)
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    /// Reads a length-prefixed UTF-8 string, rejecting ill-formed UTF-8.
    public mutating func readString() throws(IndexError) -> String {
        let count = try readCount(limit: remaining, what: "string length")
        let raw = try readBytes(count)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw .corrupt(file: fileName, reason: "string at byte \(baseOffset + position - count) is not UTF-8")
        }
        return string
    }

    /// Moves to `offset` (relative to `bytes`), which must be within bounds.
    public mutating func seek(to offset: Int) throws(IndexError) {
        guard offset >= 0, offset <= bytes.count else {
            throw .corrupt(file: fileName, reason: "offset \(offset) is outside the \(bytes.count)-byte section")
        }
        position = offset
    }
}
