import Foundation
import Testing

@testable import TalyStore

@Suite("Argon2id password hashing")
struct PasswordHasherTests {
    @Test("a hash is an Argon2id PHC string with OWASP's parameters and verifies only its password")
    func hashAndVerify() throws {
        let start = ContinuousClock.now
        let encoded = try PasswordHasher.hash("correct horse battery staple")
        let elapsed = ContinuousClock.now - start
        print("argon2id m=19456 t=2 p=1: one hash took \(elapsed)")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(PasswordHasher.verify("correct horse battery staple", against: encoded))
        #expect(!PasswordHasher.verify("correct horse battery stapler", against: encoded))
        #expect(!PasswordHasher.verify("", against: encoded))
    }

    @Test("two hashes of one password differ by their random salt")
    func salted() throws {
        #expect(try PasswordHasher.hash("same password") != PasswordHasher.hash("same password"))
    }

    @Test("a garbled encoded hash verifies nothing")
    func garbled() {
        #expect(!PasswordHasher.verify("x", against: "$argon2id$v=19$m=19456,t=2,p=1$bad"))
        #expect(!PasswordHasher.verify("x", against: ""))
    }

    @Test("passwords shorter than 8 characters or longer than 1024 bytes are invalid, naming the field")
    func lengthRules() {
        #expect(throws: StoreError.invalid(field: "password", reason: "must be at least 8 characters")) {
            try PasswordHasher.validate("short")
        }
        #expect(throws: StoreError.self) { try PasswordHasher.validate(String(repeating: "a", count: 1025)) }
        #expect(throws: Never.self) { try PasswordHasher.validate("eight ch") }
    }
}

@Suite("secret tokens")
struct SecretTokenTests {
    @Test("a generated token parses back to the same prefix and hash")
    func roundTrip() throws {
        let token = SecretToken.generate(kind: "taly")
        let text = try #require(token.plaintext)
        #expect(text.hasPrefix("taly_\(token.prefix)_"))
        #expect(text.count == 4 + 1 + 16 + 1 + 64)
        let parsed = try #require(SecretToken.parse(text, kind: "taly"))
        #expect(parsed.prefix == token.prefix)
        #expect(parsed.matches(storedHash: token.secretHash))
        #expect(token.secretHash.count == 32)
    }

    @Test(
        "tokens of the wrong kind or shape do not parse",
        arguments: [
            "", "taly", "taly__", "tses_0123456789abcdef_" + String(repeating: "a", count: 64),
            "taly_0123456789abcdef_" + String(repeating: "A", count: 64),
            "taly_0123456789abcde_" + String(repeating: "a", count: 65),
            "taly_0123456789abcdef_" + String(repeating: "a", count: 64) + "_x",
            "taly-0123456789abcdef_" + String(repeating: "a", count: 64),
            "taly_0123456789abcdef-" + String(repeating: "a", count: 64),
            "taly_0123456789abcdeg_" + String(repeating: "a", count: 64),
            "taly_0123456789abcdef_" + String(repeating: "a", count: 62) + "\u{0663}",
            "taly_012345678\u{00E9}abcdef_" + String(repeating: "a", count: 63),
        ])
    func rejects(text: String) {
        #expect(SecretToken.parse(text, kind: "taly") == nil)
    }

    @Test("constant-time equality is equality")
    func constantTime() {
        #expect(ConstantTime.equals(Data([1, 2, 3]), Data([1, 2, 3])))
        #expect(!ConstantTime.equals(Data([1, 2, 3]), Data([1, 2, 4])))
        #expect(!ConstantTime.equals(Data([1, 2, 3]), Data([1, 2])))
        #expect(ConstantTime.equals(Data(), Data()))
    }
}
