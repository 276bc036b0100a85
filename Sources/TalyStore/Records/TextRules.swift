import Foundation

/// The text checks every saved title, SKU and attribute makes, answered from the UTF-8 bytes
/// when they decide: `String.count` walks grapheme clusters, Unicode properties look tables
/// up per scalar and Foundation's trimming bridges to `NSString`, each a visible share of a
/// bulk load's time. Non-ASCII text goes the general way; `TextRulesTests` holds the answers
/// to the general ones on random text.
enum TextRules {
    /// Whether `text` holds a control character (general category Cc).
    static func hasControlCharacter(_ text: String) -> Bool {
        switch asciiScan(text, below: 0x20) {
        case .found: return true
        case .clean: return false
        case .nonASCII:
            // C1 controls (U+0080–U+009F) are the only ones outside ASCII.
            return text.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
    }

    /// Whether `text` holds whitespace or a control character (the SKU rule).
    static func hasWhitespaceOrControl(_ text: String) -> Bool {
        switch asciiScan(text, below: 0x21) {
        case .found: return true
        case .clean: return false
        case .nonASCII:
            return text.unicodeScalars.contains {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            }
        }
    }

    private enum ASCIIScan { case found, clean, nonASCII }

    /// Whether `text` has a byte under `limit` or DEL (found), none and only ASCII (clean), or
    /// none but non-ASCII bytes the caller must look at as scalars. Over the contiguous UTF-8
    /// bytes: iterating `String.UTF8View` went through its generic index machinery per byte
    /// (titles, SKUs and every attribute name of a bulk load, ~3% of a parser thread).
    private static func asciiScan(_ text: String, below limit: UInt8) -> ASCIIScan {
        let scan = { (bytes: UnsafeBufferPointer<UInt8>) -> ASCIIScan in
            var sawNonASCII = false
            for byte in bytes {
                if byte < limit || byte == 0x7F { return .found }
                if byte >= 0x80 { sawNonASCII = true }
            }
            return sawNonASCII ? .nonASCII : .clean
        }
        if let result = text.utf8.withContiguousStorageIfAvailable(scan) { return result }
        var copy = text
        return copy.withUTF8(scan)
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
