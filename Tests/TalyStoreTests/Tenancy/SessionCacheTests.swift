import Foundation
import Testing

@testable import TalyStore

@Suite("sessions: the authentication cache")
struct SessionCacheTests {
    /// An editor (not the tenant's last owner, so it can be disabled) with a fresh session that
    /// authenticated once: created just now, it needs no idle write, so it is cached.
    static func warmSession(_ fixture: StoreFixture, scope: TenantScope) throws -> (UserRecord, IssuedSession) {
        let editor = try scope.role(.editor)
        let user = try scope.createUser(
            email: "ed@acme.example", displayName: "Ed", password: "correct horse battery staple",
            roles: [editor.id!], by: .system)
        let issued = try scope.createSession(for: user.id!, idleTimeout: 600, absoluteTimeout: 3600)
        let found = try scope.authenticateSession(issued.token)
        #expect(found.session.id == issued.record.id)
        #expect(found.user.id == user.id)
        #expect(found.permissions == Set(editor.permissions))
        return (user, issued)
    }

    @Test("a session that authenticated is served from the cache until any commit, with its user and permissions")
    func cachedUntilCommit() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let (user, issued) = try Self.warmSession(fixture, scope: scope)
        let cached = try #require(fixture.store.sessionCache.entry(prefix: issued.record.prefix).entry)
        #expect(cached.user.id == user.id)
        #expect(try scope.authenticateSession(issued.token) == cached)
        _ = try scope.createAPIKey(name: "other", scopes: [], expiresAt: nil, by: .system)
        #expect(fixture.store.sessionCache.entry(prefix: issued.record.prefix).entry == nil)
        #expect(try scope.authenticateSession(issued.token).session.id == issued.record.id)
    }

    @Test("sign-out, a disabled user and a removed role take effect on the next request")
    func changesHere() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let (user, issued) = try Self.warmSession(fixture, scope: scope)
        try scope.removeRole(try scope.role(.editor).id!, from: user.id!, by: .system)
        #expect(try scope.authenticateSession(issued.token).permissions.isEmpty)
        _ = try scope.disableUser(user.id!, by: .system)
        #expect(throws: StoreError.self) { try scope.authenticateSession(issued.token) }

        _ = try scope.enableUser(user.id!, by: .system)
        let again = try scope.createSession(for: user.id!, idleTimeout: 600, absoluteTimeout: 3600)
        _ = try scope.authenticateSession(again.token)
        #expect(fixture.store.sessionCache.entry(prefix: again.record.prefix).entry != nil)
        _ = try scope.revokeSession(again.record.id!, by: .user(user.id!))
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.authenticateSession(again.token) }
    }

    @Test("a cached session signed out by another process (another store on the file) is refused at once")
    func revokedElsewhere() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let (_, issued) = try Self.warmSession(fixture, scope: scope)
        #expect(fixture.store.sessionCache.entry(prefix: issued.record.prefix).entry != nil)
        let other = try Store(path: fixture.store.path, clock: fixture.clock)
        _ = try other.tenant(scope.tenantID).revokeSession(issued.record.id!, by: .system)
        #expect(throws: StoreError.authenticationFailed(.revoked)) {
            try fixture.store.authenticate(bearer: issued.token)
        }
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.authenticateSession(issued.token) }
    }

    @Test("a cached session still expires on time and still slides its idle expiry; a forged token is refused")
    func checksStillMade() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let (_, otherScope) = try fixture.makeTenant("globex", adminEmail: "owner@globex.example")
        let (_, issued) = try Self.warmSession(fixture, scope: scope)
        let forged = String(issued.token.dropLast()) + (issued.token.hasSuffix("0") ? "1" : "0")
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) { try scope.authenticateSession(forged) }
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try otherScope.authenticateSession(issued.token)
        }
        // Seen 500 s later: the idle expiry slides (a write), so it lives past its first 600 s.
        fixture.clock.advance(by: 500)
        #expect(try scope.authenticateSession(issued.token).session.lastSeenAt == fixture.clock.now())
        fixture.clock.advance(by: 1)
        _ = try scope.authenticateSession(issued.token)
        #expect(fixture.store.sessionCache.entry(prefix: issued.record.prefix).entry != nil)
        fixture.clock.advance(by: 600)
        #expect(fixture.store.sessionCache.entry(prefix: issued.record.prefix).entry != nil)
        #expect(throws: StoreError.authenticationFailed(.expired)) { try scope.authenticateSession(issued.token) }
    }
}
