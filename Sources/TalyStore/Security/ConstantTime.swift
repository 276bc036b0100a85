import Foundation

/// Comparison whose duration does not depend on where two secrets' digests first differ.
enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes; the time depends only on their lengths, which
    /// are public (fixed-length digests).
    static func equals(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
