/// Why a filter cannot run: what is wrong and, for filters parsed from text, where.
///
/// `position` is a 0-based offset in `Character`s into the filter text (as ``QueryParseError``),
/// nil for filters built in code.
public struct FilterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the filter.
    public enum Problem: Equatable, Sendable {
        /// The field is not in the schema.
        case unknownField(String)
        /// The field has no column to filter on (text fields and the id field).
        case fieldNotFilterable(String, type: String)
        /// The value cannot be compared with the field's values; carries the field, its type and
        /// the offending value as written.
        case wrongValueType(field: String, type: String, value: String)
        /// A value that is not allowed anywhere (NaN).
        case invalidValue(String)
        /// The syntax expected something else here; carries what was expected and what was found.
        case expected(String, found: String)
        /// A `"` or `'` has no closing quote; the position is the opening quote.
        case unclosedQuote
        /// A `\` ends the text, escaping nothing.
        case danglingEscape
        /// The filter text is longer than ``FilterParser/maximumLength`` characters.
        case tooLong(limit: Int)
        /// Groups or `NOT`s are nested deeper than ``FilterParser/maximumDepth``.
        case tooDeep(limit: Int)
    }

    /// What is wrong.
    public let problem: Problem
    /// Where, for parsed filters: a 0-based offset in `Character`s into the filter text.
    public let position: Int?

    /// An error stating `problem`, at `position` when known.
    public init(_ problem: Problem, at position: Int? = nil) {
        self.problem = problem
        self.position = position
    }

    /// One line for people, such as `field "color" is unknown at 0`.
    public var description: String { position.map { "\(message) at \($0)" } ?? message }

    /// The problem in words, without the position.
    public var message: String {
        switch problem {
        case .unknownField(let name): "field \"\(name)\" is unknown"
        case .fieldNotFilterable(let name, let type): "field \"\(name)\" (\(type)) cannot be filtered on"
        case .wrongValueType(let field, let type, let value):
            "\(value) is not a value of field \"\(field)\" (\(type))"
        case .invalidValue(let value): "\(value) is not a valid value"
        case .expected(let expected, let found): "expected \(expected), found \(found)"
        case .unclosedQuote: "unclosed quote opened"
        case .danglingEscape: "'\\' escapes nothing"
        case .tooLong(let limit): "filter is longer than \(limit) characters"
        case .tooDeep(let limit): "filter is nested deeper than \(limit) levels"
        }
    }
}
