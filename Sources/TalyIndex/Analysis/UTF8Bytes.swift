import CTalyICU

/// Checks on raw UTF-8 field values that decide which tokenizer path runs.
enum UTF8Bytes {
    /// The largest value analysis accepts: ICU indexes are `Int32` and token offsets `UInt32`.
    static let maximumValueLength = Int(Int32.max)

    /// True when every byte is below 0x80, i.e. the value is ASCII (and so valid UTF-8).
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        var seen: UInt64 = 0
        // Eight bytes per step; OR-ing first and testing once per 64 bytes keeps the loop tight.
        while index + 64 <= count {
            for lane in 0..<8 {
                seen |= base.loadUnaligned(fromByteOffset: index + lane * 8, as: UInt64.self)
            }
            if seen & 0x8080_8080_8080_8080 != 0 { return false }
            index += 64
        }
        while index + 8 <= count {
            seen |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < count {
            seen |= UInt64(base.load(fromByteOffset: index, as: UInt8.self))
            index += 1
        }
        return seen & 0x8080_8080_8080_8080 == 0
    }

    /// Throws unless `bytes` is well-formed UTF-8 no longer than ``maximumValueLength``.
    static func validate(_ bytes: UnsafeRawBufferPointer) throws(AnalysisError) {
        try checkLength(bytes)
        guard let base = bytes.baseAddress else { return }
        let invalid = taly_utf8_first_invalid(base.assumingMemoryBound(to: UInt8.self), Int64(bytes.count))
        if invalid >= 0 {
            throw .invalidUTF8(byteOffset: Int(invalid))
        }
    }

    /// Throws when `bytes` is longer than ``maximumValueLength``.
    static func checkLength(_ bytes: UnsafeRawBufferPointer) throws(AnalysisError) {
        if bytes.count > maximumValueLength {
            throw .valueTooLong(byteCount: bytes.count, limit: maximumValueLength)
        }
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes (valid by construction), carrying a typed error
    /// out of `withUTF8`, which is `rethrows` and would otherwise erase it.
    func withAnalysisBytes(
        _ body: (UnsafeRawBufferPointer) throws(AnalysisError) -> Void
    ) throws(AnalysisError) {
        var text = self
        let outcome: Result<Void, AnalysisError> = text.withUTF8 { bytes in
            Result { () throws(AnalysisError) in try body(UnsafeRawBufferPointer(bytes)) }
        }
        try outcome.get()
    }
}
