import Foundation

/// The text checks every saved title, SKU and attribute makes, answered from the UTF-8 bytes
/// when they decide: `String.count` walks grapheme clusters, Unicode properties look tables
/// up per scalar and Foundation's trimming bridges to `NSString`, each a visible share of a
/// bulk load's time. Non-ASCII text goes the general way; `TextRulesTests` holds the answers
/// to the general ones on random text.
enum TextRules {
    /// Whether `text` holds a control character (general category Cc).
    static func hasControlCharacter(_ text: String) -> Bool {
        var sawNonASCII = false
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F { return true }
            if byte >= 0x80 { sawNonASCII = true }
        }
        // C1 controls (U+0080–U+009F) are the only ones outside ASCII.
        guard sawNonASCII else { return false }
        return text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Whether `text` holds whitespace or a control character (the SKU rule).
    static func hasWhitespaceOrControl(_ text: String) -> Bool {
        var sawNonASCII = false
        for byte in text.utf8 {
            if byte <= 0x20 || byte == 0x7F { return true }
            if byte >= 0x80 { sawNonASCII = true }
        }
        guard sawNonASCII else { return false }
        return text.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    /// `text.trimmingCharacters(in: .whitespacesAndNewlines)`, without the bridge when neither
    /// end can be trimmed (an ASCII byte that is not whitespace at each end).
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        if let first = utf8.first, let last = utf8.last, isPlainASCII(first), isPlainASCII(last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `text` has at most `limit` characters; a text of at most `limit` UTF-8 bytes has
    /// (a character is at least one byte), so counting characters is left for longer ones.
    static func fits(_ text: String, characters limit: Int) -> Bool {
        text.utf8.count <= limit || text.count <= limit
    }

    /// ASCII, neither whitespace (tab to carriage return, space) nor a control.
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }
}
