@testable import TalyIndex

/// The `IndexError` that `body` throws, or nil when it succeeds or throws something else; lets
/// corruption tests match the case (`.corrupt`) without spelling out the reason text.
func thrownIndexError(_ body: () throws -> Any) -> IndexError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? IndexError
    }
}

/// True when `body` throws `IndexError.corrupt` naming `file`.
func throwsCorrupt(file: String, _ body: () throws -> Any) -> Bool {
    guard case .corrupt(let named, _)? = thrownIndexError(body) else { return false }
    return named == file
}
