import Foundation
import Testing

@testable import TalyStore

@Suite("API keys: the authentication cache")
struct APIKeyCacheTests {
    /// A key used twice: the first use writes its last-used time (a commit, which empties the
    /// cache), the second reads it and leaves it cached.
    static func warmKey(_ fixture: StoreFixture, scope: TenantScope, expiresIn: TimeInterval? = nil) throws
        -> IssuedAPIKey
    {
        let issued = try scope.createAPIKey(
            name: "search", scopes: [.search], expiresAt: expiresIn.map { fixture.clock.now().addingTimeInterval($0) },
            by: .system)
        _ = try scope.authenticateAPIKey(issued.key)
        _ = try scope.authenticateAPIKey(issued.key)
        return issued
    }

    @Test("a key that authenticated is served from the cache until any commit")
    func cachedUntilCommit() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try Self.warmKey(fixture, scope: scope)
        let cached = try #require(fixture.store.apiKeyCache.entry(prefix: issued.record.prefix).entry)
        #expect(cached.id == issued.record.id)
        #expect(try scope.authenticateAPIKey(issued.key).scopes == [.search])
        // An unrelated commit empties it: the cache cannot tell what a commit changed.
        _ = try scope.createAPIKey(name: "other", scopes: [], expiresAt: nil, by: .system)
        #expect(fixture.store.apiKeyCache.entry(prefix: issued.record.prefix).entry == nil)
        #expect(try scope.authenticateAPIKey(issued.key).id == issued.record.id)
    }

    @Test("a cached key revoked in this process is refused at once")
    func revokedHere() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try Self.warmKey(fixture, scope: scope)
        _ = try scope.revokeAPIKey(issued.record.id!, by: .system)
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.authenticateAPIKey(issued.key) }
    }

    @Test("a cached key revoked by another process (another store on the file) is refused at once")
    func revokedElsewhere() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try Self.warmKey(fixture, scope: scope)
        #expect(fixture.store.apiKeyCache.entry(prefix: issued.record.prefix).entry != nil)
        // The CLI, or a second server, on the same database file.
        let other = try Store(path: fixture.store.path, clock: fixture.clock)
        _ = try other.tenant(scope.tenantID).revokeAPIKey(issued.record.id!, by: .system)
        #expect(throws: StoreError.authenticationFailed(.revoked)) {
            try fixture.store.authenticate(bearer: issued.key)
        }
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.authenticateAPIKey(issued.key) }
    }

    @Test("a cached key still expires on time, and a wrong secret or tenant is still refused")
    func checksStillMade() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let (_, otherScope) = try fixture.makeTenant("globex", adminEmail: "owner@globex.example")
        let issued = try Self.warmKey(fixture, scope: scope, expiresIn: 30)
        #expect(fixture.store.apiKeyCache.entry(prefix: issued.record.prefix).entry != nil)
        let forged = String(issued.key.dropLast()) + (issued.key.hasSuffix("0") ? "1" : "0")
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) { try scope.authenticateAPIKey(forged) }
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try otherScope.authenticateAPIKey(issued.key)
        }
        // The bearer path finds the tenant from the cached prefix and still checks the secret.
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try fixture.store.authenticate(bearer: forged)
        }
        #expect(try fixture.store.authenticate(bearer: issued.key).0.tenantID == scope.tenantID)
        fixture.clock.advance(by: 30)
        #expect(fixture.store.apiKeyCache.entry(prefix: issued.record.prefix).entry != nil)
        #expect(throws: StoreError.authenticationFailed(.expired)) {
            try fixture.store.authenticate(bearer: issued.key)
        }
        #expect(throws: StoreError.authenticationFailed(.expired)) { try scope.authenticateAPIKey(issued.key) }
    }

    @Test("a record read before a commit is not kept")
    func staleReadDropped() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let issued = try Self.warmKey(fixture, scope: scope)
        let cache = fixture.store.apiKeyCache
        let before = cache.currentVersion()
        _ = try scope.createAPIKey(name: "other", scopes: [], expiresAt: nil, by: .system)
        #expect(cache.entry(prefix: issued.record.prefix).entry == nil)
        // Read at `before`, remembered after the commit: it may predate a revocation, so it goes.
        cache.remember(issued.record, prefix: issued.record.prefix, readAfter: before)
        #expect(cache.entry(prefix: issued.record.prefix).entry == nil)
        cache.remember(issued.record, prefix: issued.record.prefix, readAfter: cache.currentVersion())
        #expect(cache.entry(prefix: issued.record.prefix).entry == issued.record)
    }
}
