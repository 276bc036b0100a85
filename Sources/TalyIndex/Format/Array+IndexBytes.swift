extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for bodies that throw ``IndexError``: the standard one only rethrows
    /// untyped errors, which would erase the type callers rely on.
    func withIndexBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(IndexError) -> Result
    ) throws(IndexError) -> Result {
        let outcome = withUnsafeBytes { bytes in Swift.Result { () throws(IndexError) in try body(bytes) } }
        return try outcome.get()
    }
}
