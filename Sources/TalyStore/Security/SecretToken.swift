import Crypto
import Foundation

/// A bearer secret of the form `<kind>_<prefix>_<secret>`: API keys (`taly_…`) and session
/// tokens (`tses_…`).
///
/// The prefix (64 random bits, 16 hex digits) is stored in clear and finds the row through a
/// unique index; the secret (256 random bits, 64 hex digits) is stored only as its SHA-256 and
/// compared in constant time. A fast hash suffices because the secret has full entropy: there
/// is nothing to guess, so Argon2's cost would only slow every request.
struct SecretToken: Sendable {
    /// `taly` for API keys, `tses` for sessions.
    let kind: String
    /// The visible, indexed part.
    let prefix: String
    /// SHA-256 of the secret part's text.
    let secretHash: Data
    /// The whole token, to hand to its owner once; nil for a token parsed from input.
    let plaintext: String?

    static let prefixHexDigits = 16
    static let secretHexDigits = 64

    /// A fresh random token of `kind`.
    static func generate(kind: String) -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        let prefix = hex((0..<prefixHexDigits / 2).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let secret = hex((0..<secretHexDigits / 2).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return SecretToken(
            kind: kind, prefix: prefix, secretHash: digest(secret), plaintext: "\(kind)_\(prefix)_\(secret)")
    }

    /// Parses a presented token of `kind`; nil when it is not of that shape.
    static func parse(_ text: String, kind: String) -> SecretToken? {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == kind,
            parts[1].count == prefixHexDigits, parts[1].allSatisfy(isLowerHex),
            parts[2].count == secretHexDigits, parts[2].allSatisfy(isLowerHex)
        else { return nil }
        return SecretToken(kind: kind, prefix: String(parts[1]), secretHash: digest(parts[2]), plaintext: nil)
    }

    /// Whether this token's secret matches a stored hash, in constant time.
    func matches(storedHash: Data) -> Bool { ConstantTime.equals(secretHash, storedHash) }

    private static func digest(_ secret: some StringProtocol) -> Data {
        Data(SHA256.hash(data: Array(secret.utf8)))
    }

    private static func isLowerHex(_ character: Character) -> Bool {
        character.isASCII && (character.isNumber || ("a"..."f").contains(character))
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
