/// Constants of the `.post` and `.pos` body layouts (format version 2), specified byte by byte in
/// `docs/format/postings.md` and `docs/format/positions.md`.
///
/// In short: a term's postings are 128-doc blocks of stride-4 doc-id deltas and frequencies − 1, each SIMD-BP128
/// packed (Lemire & Boytsov 2015), then a LEB128 tail of fewer than 128 docs; a single-level skip list with one
/// entry per block (last doc, bit widths, positions length, competitive impacts) follows the blocks, so the writer
/// streams and a cursor jumps whole blocks without decoding them (Tantivy's single level; Lucene's impacts,
/// LUCENE-4198). Lists of at most 128 docs are one LEB128 block with no skip list.
enum PostingsFormat {
    /// Docs per packed block (and positions per packed chunk).
    static let blockSize = 128
    /// Lists with at most this many docs are one variable-byte block without skip data.
    static let singleBlockLimit = 128
    /// Bit 7 of a term's header byte: the term has positions in the `.pos` file.
    static let positionsFlag: UInt8 = 0x80
    /// The most deltas of a 128-position chunk stored as exceptions (format 2): enough to drop a chunk's few
    /// large first positions of docs, few enough that patching costs little (Lucene's PFOR allows up to 7).
    static let maxPositionExceptions = 7
    /// The most frequencies of a packed block stored as exceptions (format 2), each an index byte and a byte of high
    /// bits: counted in the top two bits of the block's frequency-width byte, so the skip entry alone still gives
    /// the block's length.
    static let maxFrequencyExceptions = 3
    /// The shift of the exception count in a skip entry's frequency-width byte (format 2).
    static let frequencyExceptionsShift: UInt8 = 6
    /// Bits 0–6 of a term's header byte: the byte length of the term's impact list.
    static let impactsLengthMask: UInt8 = 0x7F
}
