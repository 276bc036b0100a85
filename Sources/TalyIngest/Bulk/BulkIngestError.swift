import TalyStore

/// Why a bulk ingest stopped (a bad record does not stop it: it is rejected and counted).
public enum BulkIngestError: Error, Equatable, CustomStringConvertible {
    /// The input could not be read.
    case cannotRead(reason: String)
    /// The compressed stream is damaged or truncated.
    case corruptInput(reason: String)
    /// The input's framing is broken where no record boundary can be found again (an unclosed
    /// JSON array, a CSV quote left open at the end…), at this line.
    case malformedInput(line: Int, reason: String)
    /// The reject file could not be written.
    case cannotWriteRejects(path: String, reason: String)
    /// The store refused the batch as a whole.
    case store(StoreError)

    public var description: String {
        switch self {
        case .cannotRead(let reason): "cannot read the input: \(reason)"
        case .corruptInput(let reason): "corrupt input: \(reason)"
        case .malformedInput(let line, let reason): "malformed input at line \(line): \(reason)"
        case .cannotWriteRejects(let path, let reason): "cannot write the reject file \(path): \(reason)"
        case .store(let error): "store: \(error)"
        }
    }
}
