import Foundation

/// An email address checked for shape, with the lowercase form that uniqueness and sign-in use.
///
/// The check is deliberately simple (one `@`, a dotted domain, no spaces or controls, RFC 5321
/// length limits): only sending mail proves an address. Case is folded on the whole address
/// because people type their own address in varying case and expect one account.
struct EmailAddress: Sendable, Equatable {
    /// The address as given, trimmed of surrounding white space.
    let value: String
    /// `value` lowercased.
    let normalized: String

    /// Validates `text`; errors name `field`.
    init(validating text: String, field: String = "email") throws(StoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid(field: field, reason: "is empty") }
        guard trimmed.utf8.count <= 254 else { throw .invalid(field: field, reason: "is longer than 254 bytes") }
        guard
            !trimmed.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F
            })
        else { throw .invalid(field: field, reason: "contains spaces or control characters") }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalid(field: field, reason: "must contain exactly one @") }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else {
            throw .invalid(field: field, reason: "the part before @ must be 1 to 64 bytes")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") })
        else { throw .invalid(field: field, reason: "the domain must be dotted names such as example.com") }
        value = trimmed
        normalized = trimmed.lowercased()
    }
}
