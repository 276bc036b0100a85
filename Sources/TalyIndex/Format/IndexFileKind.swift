/// The kinds of file an index directory holds, each with its magic number, its current format
/// version and its file-name extension. Byte layouts are specified in `docs/format/`.
public enum IndexFileKind: String, CaseIterable, Sendable {
    /// Segment metadata: document count, field statistics, the files present.
    case segmentInfo = "seg"
    /// The sorted term dictionary.
    case termDictionary = "terms"
    /// Doc ids and term frequencies in BP128 blocks, with skip and block-max data.
    case postings = "post"
    /// Term positions, read only by phrase queries and highlighting.
    case positions = "pos"
    /// One-byte quantized field lengths.
    case fieldNorms = "norms"
    /// Keyword and numeric columns for filters, facets and sorting.
    case columns = "cols"
    /// zstd-compressed stored documents.
    case storedDocuments = "store"
    /// The live-documents bitmap of one commit generation.
    case liveDocuments = "live"
    /// The commit manifest: the list of segments of one generation.
    case manifest = "manifest"

    /// The four bytes every file of this kind starts with ("TL" + two letters, little-endian).
    public var magic: UInt32 {
        let letters: (UInt8, UInt8) =
            switch self {
            case .segmentInfo: (0x53, 0x49)  // SI
            case .termDictionary: (0x54, 0x44)  // TD
            case .postings: (0x50, 0x4F)  // PO
            case .positions: (0x50, 0x53)  // PS
            case .fieldNorms: (0x46, 0x4E)  // FN
            case .columns: (0x43, 0x4C)  // CL
            case .storedDocuments: (0x53, 0x44)  // SD
            case .liveDocuments: (0x4C, 0x44)  // LD
            case .manifest: (0x4D, 0x46)  // MF
            }
        return UInt32(0x54) | UInt32(0x4C) << 8 | UInt32(letters.0) << 16 | UInt32(letters.1) << 24
    }

    /// The format version this build writes. Term dictionary version 2 inlines the posting of
    /// a term of one document (`docs/format/term-dictionary.md`); postings version 2 interleaves
    /// frequencies with doc gaps in variable-byte tails (`docs/format/postings.md`); positions
    /// version 2 patches a chunk's few largest deltas (`docs/format/positions.md`); stored
    /// documents version 2 drop the length of a payload's last string (`StoredFieldsCodec`);
    /// manifest version 2 may hold an append-only schema (`docs/format/manifest.md`), which a
    /// version 1 reader would take for one with unique ids.
    public var currentVersion: UInt32 {
        switch self {
        case .termDictionary, .postings, .positions, .storedDocuments, .manifest: 2
        default: 1
        }
    }

    /// The versions this build reads.
    public var supportedVersions: ClosedRange<UInt32> { 1...currentVersion }

    /// The file-name extension.
    public var fileExtension: String { rawValue }
}
