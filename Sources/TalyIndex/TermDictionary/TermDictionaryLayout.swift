/// Constants of the `.terms` file (specified byte by byte in `docs/format/term-dictionary.md`).
///
/// ```
/// body:      field sections (blocks, then the sparse index), in increasing field number
///            field directory
///            directory offset u64 (body-relative), the last 8 bytes of the body
/// block:     varint terms length | term section | info section
/// term:      varint (suffix length - 1) << 4 | min(shared, 15) | [varint shared - 15] | suffix
///            (not for term 0; version 1: varint shared | varint suffix length | suffix)
/// info:      varint df << 1 | varint ttf - df | varint postings delta | varint positions delta,
///            or for df = 1: varint (tf - 1) << 2 | positions flag << 1 | 1 | zigzag doc delta |
///            norm u8 | [positions delta]  (version 1: the first shape with a plain df)
/// ```
public enum TermDictionaryLayout {
    /// Terms per block the writer uses unless told otherwise: a lookup scans at most this many
    /// terms after the binary search, and the sparse index holds one entry per this many terms.
    public static let defaultBlockSize = 32
    /// The most terms one block may hold; readers reject larger counts as corrupt.
    public static let maxBlockSize = 4096
    /// The longest term the dictionary stores, in bytes; readers reject longer terms as corrupt.
    public static let maxTermLength = 65_535
    /// Bytes of the trailer at the end of the body (the directory offset).
    public static let trailerSize = 8
}
