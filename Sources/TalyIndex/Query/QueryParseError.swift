/// A syntax error found by `QueryParser.parseStrict`: what is wrong and where.
///
/// `position` is a 0-based offset in `Character`s (grapheme clusters, what a user sees as one
/// character) into the query text, so a UI can put a caret under it:
/// `text.index(text.startIndex, offsetBy: error.position)`.
public struct QueryParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the query.
    public enum Problem: Equatable, Sendable {
        /// The query has more characters than `QueryParser.maximumLength`.
        case tooLong(limit: Int)
        /// Groups are nested deeper than `QueryParser.maximumDepth`.
        case tooDeep(limit: Int)
        /// The query has more leaf clauses than `QueryParser.maximumClauses`.
        case tooManyClauses(limit: Int)
        /// A `"` has no closing `"`; the position is the opening quote.
        case unclosedQuote
        /// A `(` has no closing `)`; the position is the opening parenthesis.
        case unclosedGroup
        /// A `)` closes no group.
        case unbalancedParenthesis
        /// A `\` ends the query, escaping nothing.
        case danglingEscape
        /// `""` or a phrase of only spaces.
        case emptyPhrase
        /// `()`.
        case emptyGroup
        /// An operator, a modifier or `field:` is not followed by a term; carries its spelling.
        case expectedTermAfter(String)
        /// A binary operator (`AND`, `OR`) has no term before it; carries its spelling.
        case expectedTermBefore(String)
        /// A character that cannot appear here, such as a stray `:` or `^`.
        case unexpected(String)
        /// A `*` with no character before it (`*` alone or `*foo`).
        case leadingWildcard
        /// A `*` inside a term rather than at its end (`fo*o`, `foo**`).
        case innerWildcard
        /// The `~` after a phrase is not followed by a whole non-negative number.
        case invalidSlop
        /// The `~` after a term is followed by something other than 0, 1 or 2.
        case invalidFuzzyEdits
        /// The `^` is not followed by a positive finite number.
        case invalidBoost
        /// A modifier (`~`) that cannot apply to what precedes it (a prefix or a group).
        case notApplicable(modifier: String, target: String)
        /// The same modifier (`~` or `^`) twice on one clause.
        case duplicateModifier(String)
        /// `field:` names a field outside the parser's `knownFields`.
        case unknownField(String)
        /// `field:` whose name is not a plain word (such as `ti*:x`).
        case invalidFieldName(String)
    }

    /// What is wrong.
    public let problem: Problem
    /// Where: a 0-based offset in `Character`s into the query text.
    public let position: Int

    /// An error stating `problem` at `position`.
    public init(_ problem: Problem, at position: Int) {
        self.problem = problem
        self.position = position
    }

    /// One line for people, such as `unclosed quote opened at 7`.
    public var description: String { "\(message) at \(position)" }

    /// The problem in words, without the position.
    public var message: String {
        switch problem {
        case .tooLong(let limit): "query is longer than \(limit) characters"
        case .tooDeep(let limit): "groups are nested deeper than \(limit) levels"
        case .tooManyClauses(let limit): "query has more than \(limit) clauses"
        case .unclosedQuote: "unclosed quote opened"
        case .unclosedGroup: "unclosed '(' opened"
        case .unbalancedParenthesis: "unbalanced ')'"
        case .danglingEscape: "'\\' escapes nothing"
        case .emptyPhrase: "empty phrase"
        case .emptyGroup: "empty group"
        case .expectedTermAfter(let spelling): "expected a term after '\(spelling)'"
        case .expectedTermBefore(let spelling): "expected a term before '\(spelling)'"
        case .unexpected(let spelling): "unexpected '\(spelling)'"
        case .leadingWildcard: "'*' must follow at least one character"
        case .innerWildcard: "'*' is only supported at the end of a term"
        case .invalidSlop: "slop must be a number"
        case .invalidFuzzyEdits: "fuzzy edits must be 0, 1 or 2"
        case .invalidBoost: "boost must be a positive number"
        case .notApplicable(let modifier, let target): "'\(modifier)' cannot follow \(target)"
        case .duplicateModifier(let spelling): "duplicate '\(spelling)'"
        case .unknownField(let name): "field '\(name)' is unknown"
        case .invalidFieldName(let name): "'\(name)' is not a valid field name"
        }
    }
}
