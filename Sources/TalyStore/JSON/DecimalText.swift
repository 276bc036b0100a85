/// The decimal text of an integer written into a buffer sized beforehand, the bytes
/// `CanonicalJSONWriter.integer` appends: the writers that copy JSON together from pieces (bulk
/// ingest's attributes payload, a creation event's template) size and fill it with these.
package enum DecimalText {
    /// How many bytes `write` writes for `value`.
    @inlinable
    package static func count(_ value: Int64) -> Int {
        var magnitude = value.magnitude
        var count = value < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            count += 1
        }
        return count
    }

    /// Writes `value` at `start`, which has room for `count(value)` bytes, and returns that count.
    @inlinable
    package static func write(_ value: Int64, to start: UnsafeMutableRawPointer) -> Int {
        let count = count(value)
        // The magnitude as unsigned, so that Int64.min has one.
        var magnitude = value.magnitude
        var at = count
        repeat {
            at -= 1
            start.storeBytes(of: UInt8(ascii: "0") + UInt8(magnitude % 10), toByteOffset: at, as: UInt8.self)
            magnitude /= 10
        } while magnitude > 0
        if value < 0 { start.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self) }
        return count
    }
}
