extension String {
    /// The text of the UTF-8 `bytes`, nil when they are not valid UTF-8; `knownASCII` says the
    /// caller saw every byte below 0x80 while scanning them. `String(validating:as:)` is generic
    /// in the standard library (runtime metadata lookups on every call, ~3× the cost of
    /// `String(decoding:as:)` on a 20-byte string), and ASCII bytes cannot be invalid, so the
    /// JSON readers of bulk ingest and of stored rows skip it for the strings that are.
    @inlinable
    public init?(validatingUTF8 bytes: UnsafeRawBufferPointer, knownASCII: Bool) {
        if knownASCII {
            self = String(decoding: bytes, as: UTF8.self)
        } else {
            guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
            self = text
        }
    }
}
