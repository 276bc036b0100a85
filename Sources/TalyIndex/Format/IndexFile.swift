import CTalyChecksum

/// An index file opened for reading: mapped, its header and footer checked, its checksum
/// verified, and its body exposed without the frame.
public struct IndexFile: Sendable {
    /// The mapping that keeps the bytes alive.
    public let mapping: MappedFile
    /// The file name for error messages.
    public let fileName: String
    /// The format version the file was written with.
    public let version: UInt32
    /// Offset of the body in the file.
    public let bodyOffset: Int
    /// Length of the body.
    public let bodyLength: Int

    /// The kind-specific bytes between header and footer.
    public var body: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapping.bytes[bodyOffset..<bodyOffset + bodyLength])
    }

    /// A bounds-checked reader over the body.
    public var input: IndexInput { IndexInput(bytes: body, fileName: fileName, baseOffset: bodyOffset) }

    /// Opens `path` as a file of `kind` belonging to `segment`, verifying every frame field and the
    /// CRC-32C of the whole file.
    public init(path: String, kind: IndexFileKind, segment: SegmentID) throws(IndexError) {
        let mapping = try MappedFile(path: path)
        try self.init(mapping: mapping, kind: kind, segment: segment)
    }

    /// Checks the frame of an already-mapped file.
    public init(mapping: MappedFile, kind: IndexFileKind, segment: SegmentID) throws(IndexError) {
        self.mapping = mapping
        let name = mapping.path.split(separator: "/").last.map(String.init) ?? mapping.path
        fileName = name
        let bytes = mapping.bytes
        let frame = IndexFileLayout.headerSize + IndexFileLayout.footerSize
        guard bytes.count >= frame else {
            throw .truncated(file: name, offset: 0, needed: frame, available: bytes.count)
        }
        var header = IndexInput(bytes: bytes, fileName: name)
        let magic = try header.readUInt32()
        guard magic == kind.magic else { throw .badMagic(file: name, expected: kind.magic, found: magic) }
        version = try header.readUInt32()
        guard kind.supportedVersions.contains(version) else {
            throw .unsupportedVersion(file: name, found: version, supported: kind.supportedVersions)
        }
        let found = SegmentID(high: try header.readUInt64(), low: try header.readUInt64())
        guard found == segment else { throw .segmentMismatch(file: name, expected: segment, found: found) }

        var footer = IndexInput(bytes: bytes, fileName: name)
        footer.position = bytes.count - IndexFileLayout.footerSize
        let footerMagic = try footer.readUInt32()
        guard footerMagic == IndexFileLayout.footerMagic else {
            throw .badFooter(file: name, reason: "missing footer magic (the file may be truncated)")
        }
        let algorithm = try footer.readUInt32()
        guard algorithm == IndexFileLayout.crc32cAlgorithm else {
            throw .badFooter(file: name, reason: "unknown checksum algorithm \(algorithm)")
        }
        let stored = try footer.readUInt64()
        guard stored <= UInt64(UInt32.max) else {
            throw .badFooter(file: name, reason: "checksum field has high bits set")
        }
        let computed = taly_crc32c_update(0, bytes.baseAddress, bytes.count - 8)
        guard UInt32(stored) == computed else {
            throw .checksumMismatch(file: name, stored: UInt32(stored), computed: computed)
        }
        bodyOffset = IndexFileLayout.headerSize
        bodyLength = bytes.count - frame
    }
}
