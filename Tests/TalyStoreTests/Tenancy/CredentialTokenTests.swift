import Foundation
import GRDB
import Testing

@testable import TalyStore

@Suite("API keys")
struct APIKeyTests {
    @Test("a key authenticates until it expires, and its last use is recorded")
    func expiry() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try scope.createAPIKey(
            name: "deploy", scopes: [.contentWrite], expiresAt: fixture.clock.now().addingTimeInterval(3600),
            by: .system)
        #expect(issued.record.lastUsedAt == nil)
        let used = try scope.authenticateAPIKey(issued.key)
        let firstUse = fixture.clock.now()
        #expect(used.lastUsedAt == firstUse)
        #expect(try scope.apiKey(issued.record.id!).lastUsedAt == firstUse)
        #expect(used.scopes == [.contentWrite])
        // Within a minute the stored time is left alone; past it, the next use moves it.
        fixture.clock.advance(by: 30)
        #expect(try scope.authenticateAPIKey(issued.key).lastUsedAt == firstUse)
        fixture.clock.advance(by: 30)
        _ = try scope.authenticateAPIKey(issued.key)
        #expect(try scope.apiKey(issued.record.id!).lastUsedAt == fixture.clock.now())
        fixture.clock.advance(by: 3540)
        #expect(throws: StoreError.authenticationFailed(.expired)) { try scope.authenticateAPIKey(issued.key) }
    }

    @Test("a revoked key is refused")
    func revocation() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try scope.createAPIKey(name: "deploy", scopes: [], by: .system)
        let revoked = try scope.revokeAPIKey(issued.record.id!, by: .system)
        #expect(revoked.isRevoked)
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.authenticateAPIKey(issued.key) }
    }

    @Test("a key with a wrong secret, or garbage, is refused as invalid credentials")
    func wrongSecret() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try scope.createAPIKey(name: "deploy", scopes: [], by: .system)
        let forged = String(issued.key.dropLast()) + (issued.key.hasSuffix("0") ? "1" : "0")
        for presented in [forged, "taly_nothing", "", issued.key.uppercased()] {
            #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
                try scope.authenticateAPIKey(presented)
            }
        }
    }

    @Test("only the SHA-256 of the secret is stored, never the key")
    func storedHashed() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try scope.createAPIKey(name: "deploy", scopes: [], by: .system)
        let secret = String(issued.key.split(separator: "_")[2])
        let dump = try fixture.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_key").map(\.description).joined()
        }
        #expect(!dump.contains(secret))
        #expect(issued.record.secretHash.count == 32)
    }
}

@Suite("sessions")
struct SessionTests {
    @Test("a session slides its idle expiry with use and ends at its absolute expiry")
    func slidingAndAbsolute() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let issued = try scope.createSession(for: bootstrap.owner.id!, idleTimeout: 600, absoluteTimeout: 1800)
        #expect(issued.token.hasPrefix("tses_"))
        // Used every 500 s, the session outlives its 600 s idle timeout...
        for _ in 0..<3 {
            fixture.clock.advance(by: 500)
            let seen = try scope.validateSession(issued.token)
            #expect(seen.lastSeenAt == fixture.clock.now())
        }
        // ...but not its 1800 s absolute lifetime.
        fixture.clock.advance(by: 300)
        #expect(throws: StoreError.authenticationFailed(.expired)) { try scope.validateSession(issued.token) }
    }

    @Test("a session left idle past its timeout is refused")
    func idleTimeout() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let issued = try scope.createSession(for: bootstrap.owner.id!, idleTimeout: 600, absoluteTimeout: 3600)
        fixture.clock.advance(by: 599)
        _ = try scope.validateSession(issued.token)
        fixture.clock.advance(by: 600)
        #expect(throws: StoreError.authenticationFailed(.expired)) { try scope.validateSession(issued.token) }
    }

    @Test("a revoked session is refused, and a forged token is invalid")
    func revocation() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let issued = try scope.createSession(for: bootstrap.owner.id!)
        _ = try scope.validateSession(issued.token)
        _ = try scope.revokeSession(issued.record.id!, by: .user(bootstrap.owner.id!))
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.validateSession(issued.token) }
        let forged = String(issued.token.dropLast()) + (issued.token.hasSuffix("0") ? "1" : "0")
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) { try scope.validateSession(forged) }
        #expect(try scope.sessions(of: bootstrap.owner.id!).count == 1)
    }

    @Test("timeouts that make no sense are invalid, naming the field")
    func badTimeouts() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        #expect(throws: StoreError.invalid(field: "absoluteTimeout", reason: "must be at least the idle timeout")) {
            try scope.createSession(for: bootstrap.owner.id!, idleTimeout: 600, absoluteTimeout: 60)
        }
    }
}
