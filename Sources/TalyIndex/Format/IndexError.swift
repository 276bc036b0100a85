/// Bad bytes on disk or a misused index directory, named so the user can act: which file, and
/// what was expected against what was found. Readers throw these; they never trap on bad bytes.
public enum IndexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not start with the magic number of its kind.
    case badMagic(file: String, expected: UInt32, found: UInt32)
    /// The file was written by a format version this build cannot read.
    case unsupportedVersion(file: String, found: UInt32, supported: ClosedRange<UInt32>)
    /// The file belongs to another segment than the one being opened.
    case segmentMismatch(file: String, expected: SegmentID, found: SegmentID)
    /// The file is shorter than its structure requires.
    case truncated(file: String, offset: Int, needed: Int, available: Int)
    /// The checksum in the footer does not match the bytes.
    case checksumMismatch(file: String, stored: UInt32, computed: UInt32)
    /// The footer is missing or damaged.
    case badFooter(file: String, reason: String)
    /// A structure inside the file is inconsistent.
    case corrupt(file: String, reason: String)
    /// The file could not be opened, mapped, written or synced.
    case io(path: String, operation: String, reason: String)
    /// Another writer holds the index directory's write lock.
    case locked(directory: String)
    /// The directory holds no committed index.
    case noIndex(directory: String)
    /// An operation by id (`operation`) on an append-only index, whose ids are not indexed.
    case idsNotIndexed(operation: String)

    public var description: String {
        switch self {
        case .badMagic(let file, let expected, let found):
            "\(file): not a Taly index file of this kind (magic 0x\(hex(found)), expected 0x\(hex(expected)))"
        case .unsupportedVersion(let file, let found, let supported):
            "\(file): format version \(found) is not supported (this build reads \(supported.lowerBound)"
                + "...\(supported.upperBound))"
        case .segmentMismatch(let file, let expected, let found):
            "\(file): belongs to segment \(found), expected \(expected)"
        case .truncated(let file, let offset, let needed, let available):
            "\(file): truncated at byte \(offset): needed \(needed) bytes, \(available) available"
        case .checksumMismatch(let file, let stored, let computed):
            "\(file): checksum mismatch (footer says 0x\(hex(stored)), bytes give 0x\(hex(computed)))"
        case .badFooter(let file, let reason): "\(file): bad footer: \(reason)"
        case .corrupt(let file, let reason): "\(file): corrupt: \(reason)"
        case .io(let path, let operation, let reason): "\(path): \(operation) failed: \(reason)"
        case .locked(let directory):
            "\(directory): another writer has this index open (only one writer per index directory)"
        case .noIndex(let directory): "\(directory): no committed index here (no manifest file)"
        case .idsNotIndexed(let operation):
            "\(operation) by id is not available: the index is append-only (its ids are stored, not indexed)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
