/// The frame every index file shares (specified in `docs/format/common.md`):
///
/// ```
/// header: magic u32 | version u32 | segment id (16 bytes: high u64, low u64)      = 24 bytes
/// body:   kind-specific
/// footer: footer magic u32 | checksum algorithm u32 (1 = CRC-32C) | checksum u64   = 16 bytes
/// ```
///
/// All integers are little-endian. The checksum covers every byte before the checksum field
/// itself (header, body, footer magic and algorithm), as Lucene's CodecUtil footer does.
public enum IndexFileLayout {
    /// Bytes of the header.
    public static let headerSize = 24
    /// Bytes of the footer.
    public static let footerSize = 16
    /// The first four bytes of every footer ("TLFT").
    public static let footerMagic: UInt32 = 0x5446_4C54
    /// The algorithm id of CRC-32C in the footer.
    public static let crc32cAlgorithm: UInt32 = 1
}
