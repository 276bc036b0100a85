extension Array where Element == UInt8 {
    /// Appends the LEB128 encoding of `value`, as `IndexOutput.writeVarUInt64` writes it.
    mutating func appendVarUInt64(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest &>>= 7
        }
        append(UInt8(truncatingIfNeeded: rest))
    }

    /// `withUnsafeBytes` for bodies that throw ``IndexError``: the standard one only rethrows
    /// untyped errors, which would erase the type callers rely on.
    func withIndexBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(IndexError) -> Result
    ) throws(IndexError) -> Result {
        let outcome = withUnsafeBytes { bytes in Swift.Result { () throws(IndexError) in try body(bytes) } }
        return try outcome.get()
    }
}
