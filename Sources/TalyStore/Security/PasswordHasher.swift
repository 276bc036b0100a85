import CArgon2

/// Argon2id password hashing (RFC 9106) through Debian's libargon2, with OWASP's parameters.
///
/// OWASP's Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1. The result is the PHC string
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, which carries its parameters, so stronger
/// parameters later still verify old hashes. One hash takes tens of milliseconds: callers hash
/// outside database transactions.
enum PasswordHasher {
    /// Passes over memory.
    static let timeCost: UInt32 = 2
    /// Memory in KiB (19 MiB).
    static let memoryKiB: UInt32 = 19456
    /// Lanes.
    static let parallelism: UInt32 = 1
    /// Random salt bytes.
    static let saltLength = 16
    /// Raw hash bytes.
    static let hashLength = 32
    /// The longest password accepted, in UTF-8 bytes: bounds the work an attacker can ask for.
    static let maximumPasswordBytes = 1024
    /// The shortest password accepted, in characters (OWASP's minimum with multi-factor absent is 8).
    static let minimumPasswordCharacters = 8

    /// A hash of a password nobody knows, verified against when an email is unknown so that the
    /// answer takes as long as for a real account.
    static let dummyHash: String = {
        // Cannot fail: the password is valid and libargon2 only fails on bad parameters or memory.
        (try? hash("unknown-account-placeholder")) ?? ""
    }()

    /// Checks a new password against the length rules; `field` names it in the error.
    static func validate(_ password: String, field: String = "password") throws(StoreError) {
        guard password.count >= minimumPasswordCharacters else {
            throw .invalid(field: field, reason: "must be at least \(minimumPasswordCharacters) characters")
        }
        guard password.utf8.count <= maximumPasswordBytes else {
            throw .invalid(field: field, reason: "must be at most \(maximumPasswordBytes) bytes")
        }
    }

    /// Hashes `password` with a fresh 16-byte salt and returns the encoded PHC string.
    static func hash(_ password: String) throws(StoreError) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encodedLength = argon2_encodedlen(
            timeCost, memoryKiB, parallelism, UInt32(saltLength), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let bytes = Array(password.utf8)
        let status = bytes.withUnsafeBytes { passwordBuffer in
            salt.withUnsafeBytes { saltBuffer in
                argon2id_hash_encoded(
                    timeCost, memoryKiB, parallelism,
                    passwordBuffer.baseAddress, passwordBuffer.count,
                    saltBuffer.baseAddress, saltBuffer.count,
                    hashLength, &encoded, encodedLength)
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw .constraintViolation(reason: "argon2id failed: \(String(cString: argon2_error_message(status)))")
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches the encoded hash; libargon2 compares in constant time.
    static func verify(_ password: String, against encoded: String) -> Bool {
        let bytes = Array(password.utf8)
        guard bytes.count <= maximumPasswordBytes else { return false }
        let status = bytes.withUnsafeBytes { passwordBuffer in
            argon2id_verify(encoded, passwordBuffer.baseAddress, passwordBuffer.count)
        }
        return status == ARGON2_OK.rawValue
    }
}
