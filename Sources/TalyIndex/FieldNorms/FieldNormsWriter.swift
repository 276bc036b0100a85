/// Collects the norm byte of every (text field, document) of a segment and writes the `.norms`
/// file (layout in `docs/format/field-norms.md`).
///
/// Norms are one byte per document per field, so holding them in memory until the segment is
/// written costs no more than the file itself.
public struct FieldNormsWriter {
    /// Documents in the segment: every field gets exactly this many bytes.
    public let docCount: Int
    private var fields: [UInt32: [UInt8]] = [:]

    /// A writer for a segment of `docCount` documents.
    public init(docCount: Int) {
        precondition(docCount >= 0 && docCount <= Int(UInt32.max), "document count \(docCount) out of range")
        self.docCount = docCount
    }

    /// Records the length (token count) of `field` in `doc`, quantized with ``SmallFloat``.
    ///
    /// Documents never given a length keep norm 0: the field is absent or empty there.
    public mutating func setLength(_ length: UInt32, field: UInt32, doc: UInt32) {
        precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
        fields[field, default: [UInt8](repeating: 0, count: docCount)][Int(doc)] = SmallFloat.intToByte4(length)
    }

    /// Sets every norm byte of `field` at once, `norms[doc]` for each doc.
    public mutating func setNorms(_ norms: [UInt8], field: UInt32) {
        precondition(norms.count == docCount, "\(norms.count) norms for \(docCount) documents")
        fields[field] = norms
    }

    /// The field numbers that have norms, ascending.
    public var fieldNumbers: [UInt32] { fields.keys.sorted() }

    /// Writes the `.norms` file of `segment` to `path`.
    public func write(to path: String, segment: SegmentID, sync: Bool) throws(IndexError) {
        let output = try IndexOutput(path: path, kind: .fieldNorms, segment: segment)
        let numbers = fieldNumbers
        output.writeUInt32(UInt32(docCount))
        output.writeUInt32(UInt32(numbers.count))
        for number in numbers { output.writeUInt32(number) }
        for number in numbers { output.writeBytes(fields[number]!) }
        try output.finish(sync: sync)
    }
}
