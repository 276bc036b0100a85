/// What the Int64 values of a numeric column stand for; all are stored as order-preserving Int64.
public enum NumericValueType: UInt8, Sendable, CaseIterable {
    /// Plain signed 64-bit integers.
    case int64 = 0
    /// Doubles as ``SortableDouble`` bits: Int64 order equals numeric order.
    case double = 1
    /// Instants as Int64 milliseconds since 1970-01-01T00:00:00Z.
    case date = 2
}

/// The order-preserving mapping of doubles to Int64 (Lucene's `NumericUtils.doubleToSortableLong`).
///
/// Positive doubles keep their bits; negative ones have all bits but the sign flipped, so the
/// signed order of the results is the numeric order, with -0.0 just below +0.0. Every NaN is
/// first replaced by the canonical quiet NaN (0x7FF8_0000_0000_0000, as Java's
/// `doubleToLongBits` does), so NaN reads back as `Double.nan` and sorts above +infinity.
public enum SortableDouble {
    /// The sortable Int64 of `value`.
    public static func bits(_ value: Double) -> Int64 {
        let raw = Int64(bitPattern: value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        return raw ^ ((raw >> 63) & Int64.max)
    }

    /// The double whose sortable Int64 is `bits`.
    public static func double(_ bits: Int64) -> Double {
        Double(bitPattern: UInt64(bitPattern: bits ^ ((bits >> 63) & Int64.max)))
    }
}
