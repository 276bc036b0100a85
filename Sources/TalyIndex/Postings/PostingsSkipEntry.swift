/// The decoded skip entry of one block: where the block's bytes are and what it holds.
///
/// Entries are read one after the other (a single level, as Tantivy's `SkipReader`), each validated as it is read,
/// so moving the skip pointer costs a few byte reads per 128 docs and never decodes a block.
struct PostingsSkipEntry {
    /// Block number; `-1` for the state before the first block, `blockCount` once past the last.
    var index: Int
    /// Offset in the `.post` body just past this entry: where the next entry starts.
    var entryEnd: Int
    /// The doc-id delta base of the block: the previous block's last doc (0 for the first).
    var baseDoc: UInt32
    /// The block's last doc id; ``PostingsCursor/exhausted`` past the last block.
    var lastDoc: UInt32
    /// Bit widths of a packed block (unused for the variable-byte tail).
    var docBits: Int
    var frequencyBits: Int
    /// Frequencies stored as exceptions after the packed ones (format 2), two bytes each.
    var frequencyExceptions: Int
    /// The block's bytes in the `.post` body.
    var payloadOffset: Int
    var payloadLength: Int
    /// The block's positions unit in the `.pos` body.
    var positionsOffset: Int
    var positionsLength: Int
    /// The block's impact list in the `.post` body.
    var impactsOffset: Int
    var impactsLength: Int
}
