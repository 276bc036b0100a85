/// Why a field value could not be analyzed.
public enum AnalysisError: Error, Equatable, Sendable {
    /// The raw bytes are not well-formed UTF-8; `byteOffset` is where the first bad sequence starts.
    case invalidUTF8(byteOffset: Int)
    /// The value is longer than analysis supports: offsets are 32-bit and ICU indexes are `Int32`.
    case valueTooLong(byteCount: Int, limit: Int)
    /// An ICU call failed; `code` is the CTalyICU error code and `name` its ICU name.
    case icuFailure(operation: String, code: Int32, name: String)
    /// libstemmer has no stemmer for this algorithm and encoding, or could not allocate one.
    case stemmerUnavailable(algorithm: String)
    /// libstemmer returned no stem (it does so only when it runs out of memory).
    case stemmerFailed(algorithm: String)
}
