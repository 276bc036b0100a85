import CTalyICU

/// NFKC_Casefold (Unicode's normalization for caseless matching: "ﬁ" → "fi", "ß" → "ss",
/// fullwidth "Ａ" → "a") through ICU, appending folded UTF-8 straight into a term arena.
///
/// Owns an ICU scratch handle: not thread-safe, hence not `Sendable`.
final class ICUCaseFolder {
    private let handle: OpaquePointer

    /// Opens the ICU normalizer and its scratch space.
    init() throws(AnalysisError) {
        var code: Int32 = 0
        guard let handle = taly_case_folder_open(&code) else {
            throw ICUWordTokenizer.failure("taly_case_folder_open", code)
        }
        self.handle = handle
    }

    deinit {
        taly_case_folder_close(handle)
    }

    /// Appends NFKC_Casefold(`source`) to `arena` and returns the folded length in bytes.
    func appendFolded(_ source: UnsafeRawBufferPointer, to arena: inout [UInt8]) throws(AnalysisError) -> Int {
        let start = arena.count
        // Most folds keep or shrink the length; the rare expansion is retried at the exact size.
        var room = source.count + 8
        while true {
            arena.append(contentsOf: repeatElement(0, count: room))
            let written = arena.withUnsafeMutableBufferPointer { output in
                taly_case_folder_fold(
                    handle, source.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(source.count),
                    output.baseAddress! + start, Int32(room))
            }
            if written < 0 {
                arena.removeSubrange(start...)
                throw ICUWordTokenizer.failure("taly_case_folder_fold", written)
            }
            if Int(written) <= room {
                arena.removeLast(room - Int(written))
                return Int(written)
            }
            arena.removeSubrange(start...)
            room = Int(written)
        }
    }
}

@available(*, unavailable, message: "holds ICU scratch state: use one per thread")
extension ICUCaseFolder: Sendable {}
