import Foundation
import TalyTestSupport

@testable import TalyIndex

/// Random column values and random filters over ``SearchFixtures/schema``, with a brute-force
/// evaluation of a filter on the `Document` values the test wrote: the oracle for filters, counts
/// and facets.
enum FilterFixtures {
    static let tagValues = ["a", "b", "c", "d", "e f", "Zed", "ä"]
    static let tagsValues = ["red", "green", "blue", "black", "white", "x y", "10"]
    static let ratingValues: [Double] = [-2.5, -0.0, 0.0, 0.5, 1, 1.5, 2, 3.75, 4, 5, 1e300, -.infinity]

    /// Adds random column values (each absent now and then) to `document`.
    static func addColumns(to document: inout Document, _ random: inout SplitMix64) {
        if Int.random(in: 0..<5, using: &random) != 0 {
            document["tag"] = .keyword([tagValues.randomElement(using: &random)!])
        }
        let tagCount = Int.random(in: 0...3, using: &random)
        if tagCount > 0 {
            document["tags"] = .keyword((0..<tagCount).map { _ in tagsValues.randomElement(using: &random)! })
        }
        if Int.random(in: 0..<4, using: &random) != 0 {
            // A gcd of 5 most of the time, so packed-domain rounding is exercised.
            let price = Int64.random(in: -20...60, using: &random) * (Bool.random(using: &random) ? 5 : 1)
            document["price"] = .int64(price)
        }
        if Int.random(in: 0..<3, using: &random) != 0 {
            document["rating"] = .double(ratingValues.randomElement(using: &random)!)
        }
        if Int.random(in: 0..<3, using: &random) != 0 {
            document["published"] = .date(
                milliseconds: 1_700_000_000_000 + Int64.random(in: 0..<100, using: &random) * 86_400_000)
        }
    }

    static func value(for field: String, _ random: inout SplitMix64) -> FilterValue {
        switch field {
        case "tag": .string((tagValues + ["zz", "0"]).randomElement(using: &random)!)
        case "tags": .string((tagsValues + ["purple"]).randomElement(using: &random)!)
        case "price":
            Bool.random(using: &random)
                ? .integer(Int64.random(in: -110...310, using: &random))
                : .double(Double(Int.random(in: -220...620, using: &random)) / 2)
        case "rating":
            Bool.random(using: &random)
                ? .double((ratingValues + [0.25, .infinity]).randomElement(using: &random)!)
                : .integer(Int64.random(in: -3...6, using: &random))
        default:
            .date(milliseconds: 1_700_000_000_000 + Int64.random(in: -5..<105, using: &random) * 86_400_000)
        }
    }

    static let fields = ["tag", "tags", "price", "rating", "published"]

    /// A random filter tree of at most `depth` levels.
    static func filter(_ random: inout SplitMix64, depth: Int = 3) -> Filter {
        let field = fields.randomElement(using: &random)!
        let choice = Int.random(in: 0..<(depth > 0 ? 10 : 6), using: &random)
        switch choice {
        case 0: return .equal(field: field, value(for: field, &random))
        case 1: return .notEqual(field: field, value(for: field, &random))
        case 2:
            return .oneOf(
                field: field, (0..<Int.random(in: 0...3, using: &random)).map { _ in value(for: field, &random) })
        case 3, 4:
            func bound(_ random: inout SplitMix64) -> FilterBound? {
                Int.random(in: 0..<4, using: &random) == 0
                    ? nil : FilterBound(value(for: field, &random), inclusive: Bool.random(using: &random))
            }
            return .range(field: field, lower: bound(&random), upper: bound(&random))
        case 5: return .exists(field: field)
        case 6: return .not(filter(&random, depth: depth - 1))
        case 7: return .or((0..<Int.random(in: 0...3, using: &random)).map { _ in filter(&random, depth: depth - 1) })
        default:
            return .and((0..<Int.random(in: 0...3, using: &random)).map { _ in filter(&random, depth: depth - 1) })
        }
    }

    /// Whether `document` satisfies `filter`, computed from its values alone.
    static func matches(_ filter: Filter, _ document: Document) -> Bool {
        switch filter {
        case .and(let filters): return filters.allSatisfy { matches($0, document) }
        case .or(let filters): return filters.contains { matches($0, document) }
        case .not(let inner): return !matches(inner, document)
        case .exists(let field): return !values(field, document).isEmpty
        case .equal(let field, let value): return values(field, document).contains { compare($0, value) == 0 }
        case .notEqual(let field, let value): return !matches(.equal(field: field, value), document)
        case .oneOf(let field, let list):
            return values(field, document).contains { stored in list.contains { compare(stored, $0) == 0 } }
        case .range(let field, let lower, let upper):
            return values(field, document).contains { stored in
                if let lower {
                    let order = compare(stored, lower.value)
                    if order < 0 || (order == 0 && !lower.inclusive) { return false }
                }
                if let upper {
                    let order = compare(stored, upper.value)
                    if order > 0 || (order == 0 && !upper.inclusive) { return false }
                }
                return true
            }
        }
    }

    /// A stored value: keyword bytes or a number (Int64 kept exact).
    enum Stored {
        case bytes([UInt8])
        case integer(Int64)
        case real(Double)
    }

    static func values(_ field: String, _ document: Document) -> [Stored] {
        switch document[field] {
        case .keyword(let values)?: values.map { .bytes(Array($0.utf8)) }
        case .int64(let value)?: [.integer(value)]
        case .date(let milliseconds)?: [.integer(milliseconds)]
        case .double(let value)?: [.real(value)]
        default: []
        }
    }

    /// Sign of stored − filter value, numerically for numbers and byte-wise for strings.
    static func compare(_ stored: Stored, _ value: FilterValue) -> Int {
        func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : a > b ? 1 : 0 }
        switch (stored, value) {
        case (.bytes(let bytes), .string(let text)):
            let other = Array(text.utf8)
            return bytes == other ? 0 : bytes.lexicographicallyPrecedes(other) ? -1 : 1
        case (.integer(let a), .integer(let b)), (.integer(let a), .date(let b)): return sign(a, b)
        case (.integer(let a), .double(let b)): return sign(Double(a), b)
        case (.real(let a), .double(let b)): return sign(a, b)
        case (.real(let a), .integer(let b)): return sign(a, Double(b))
        default: preconditionFailure("the random filters only compare values of the field's type")
        }
    }

    /// A corpus of `segments` batches with random bodies and columns, and ids to delete.
    static func corpus(_ random: inout SplitMix64, segments: Int, perSegment: ClosedRange<Int>)
        -> (batches: [[Document]], deletes: Set<String>)
    {
        var next = 0
        let batches = (0..<segments).map { _ in
            (0..<Int.random(in: perSegment, using: &random)).map { _ in
                let body = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                    PrunedTopKTests.word(&random)
                }.joined(separator: " ")
                var document = SearchFixtures.document("doc\(next)", body: body)
                addColumns(to: &document, &random)
                next += 1
                return document
            }
        }
        let deletes = Set((0..<next / 10).map { _ in "doc\(Int.random(in: 0..<max(next, 1), using: &random))" })
        return (batches, deletes)
    }

    /// The live documents of a corpus (every id is written once).
    static func live(_ batches: [[Document]], deletes: Set<String>) -> [Document] {
        batches.joined().filter { !deletes.contains(id(of: $0)) }
    }

    static func id(of document: Document) -> String {
        guard case .keyword(let ids)? = document["id"] else { return "?" }
        return ids[0]
    }
}
