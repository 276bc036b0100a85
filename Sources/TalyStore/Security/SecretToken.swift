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
    ///
    /// Works on the UTF-8 bytes: every request with a credential parses its token (once, in
    /// `Store.authenticate(bearer:)`), and splitting into `Character`s with Unicode property
    /// checks per digit cost more than the SHA-256.
    static func parse(_ text: String, kind: String) -> SecretToken? {
        var text = text
        return text.withUTF8 { bytes -> SecretToken? in
            let kindLength = kind.utf8.count
            let prefixStart = kindLength + 1
            let secretStart = prefixStart + prefixHexDigits + 1
            guard bytes.count == secretStart + secretHexDigits, bytes[kindLength] == underscore,
                bytes[secretStart - 1] == underscore, bytes[..<kindLength].elementsEqual(kind.utf8),
                bytes[prefixStart..<secretStart - 1].allSatisfy(isLowerHex),
                bytes[secretStart...].allSatisfy(isLowerHex)
            else { return nil }
            let prefix = String(decoding: bytes[prefixStart..<secretStart - 1], as: UTF8.self)
            let secretHash = Data(
                SHA256.hash(data: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[secretStart...]))))
            return SecretToken(kind: kind, prefix: prefix, secretHash: secretHash, plaintext: nil)
        }
    }

    /// Whether this token's secret matches a stored hash, in constant time.
    func matches(storedHash: Data) -> Bool { ConstantTime.equals(secretHash, storedHash) }

    private static func digest(_ secret: some StringProtocol) -> Data {
        Data(SHA256.hash(data: Array(secret.utf8)))
    }

    private static let underscore = UInt8(ascii: "_")

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
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
