/// Why a document scores what it does for a query: a tree as Lucene's `Explanation`, whose root value is the
/// document's score exactly (the same `Float` the search returns) and whose details are the parts that
/// produced it (BM25's idf, tf, k1, b, dl, avgdl, boost; boolean sums).
public struct Explanation: Sendable, Hashable {
    /// Whether the document matches (a non-match has value 0 and says why in `description`).
    public var isMatch: Bool
    /// The value of this node (the score at the root).
    public var value: Float
    /// What the value is, for people.
    public var description: String
    /// The values this one was computed from.
    public var details: [Explanation]

    /// A node from its parts.
    public init(isMatch: Bool, value: Float, description: String, details: [Explanation] = []) {
        self.isMatch = isMatch
        self.value = value
        self.description = description
        self.details = details
    }

    /// A matching node.
    static func match(_ value: Float, _ description: String, _ details: [Explanation] = []) -> Explanation {
        Explanation(isMatch: true, value: value, description: description, details: details)
    }

    /// A non-matching node (value 0).
    static func noMatch(_ description: String, _ details: [Explanation] = []) -> Explanation {
        Explanation(isMatch: false, value: 0, description: description, details: details)
    }

    /// The tree as indented lines, `value = description` (Lucene's `Explanation.toString`).
    public func formatted() -> String {
        var lines: [String] = []
        append(to: &lines, depth: 0)
        return lines.joined(separator: "\n")
    }

    private func append(to lines: inout [String], depth: Int) {
        lines.append(String(repeating: "  ", count: depth) + "\(value) = \(description)")
        for detail in details { detail.append(to: &lines, depth: depth + 1) }
    }
}
