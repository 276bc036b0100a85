import Foundation
import Testing

@testable import TalyStore

@Suite("authenticating a bearer credential")
struct CredentialTenantTests {
    @Test("a session token and an API key each lead to their own tenant")
    func findsTenant() throws {
        let fixture = try StoreFixture()
        let (acme, acmeScope) = try fixture.makeTenant("acme")
        let (globex, globexScope) = try fixture.makeTenant("globex")
        let session = try globexScope.createSession(for: globex.owner.id!)
        let (keyScope, key) = try fixture.store.authenticate(bearer: acme.apiKey)
        #expect(keyScope.tenantID == acmeScope.tenantID)
        #expect(key.kind == .apiKey)
        let (sessionScope, found) = try fixture.store.authenticate(bearer: session.token)
        #expect(sessionScope.tenantID == globexScope.tenantID)
        guard case .session(let authenticated) = found else {
            Issue.record("a session token authenticated as \(found)")
            return
        }
        #expect(authenticated.session.id == session.record.id)
        #expect(authenticated.user.id == globex.owner.id)
    }

    @Test("a wrong secret, an expired or a revoked credential is refused on the first use and once cached")
    func refusals() throws {
        let fixture = try StoreFixture()
        let (acme, acmeScope) = try fixture.makeTenant("acme")
        let expiring = try acmeScope.createAPIKey(
            name: "expiring", scopes: [.search], expiresAt: fixture.clock.now().addingTimeInterval(60), by: .system)
        let session = try acmeScope.createSession(for: acme.owner.id!)
        for warm in [false, true] {
            if warm {
                // Used before (last-use writes done, entries cached), so the checks meet a warm cache.
                for token in [acme.apiKey, expiring.key, session.token] {
                    _ = try fixture.store.authenticate(bearer: token)
                }
            }
            for token in [acme.apiKey, expiring.key, session.token] {
                let forged = String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")
                #expect(throws: StoreError.authenticationFailed(.invalidCredentials), "warm \(warm)") {
                    try fixture.store.authenticate(bearer: forged)
                }
            }
        }
        fixture.clock.advance(by: 60)
        #expect(throws: StoreError.authenticationFailed(.expired)) {
            try fixture.store.authenticate(bearer: expiring.key)
        }
        _ = try acmeScope.revokeSession(session.record.id!, by: .system)
        #expect(throws: StoreError.authenticationFailed(.revoked)) {
            try fixture.store.authenticate(bearer: session.token)
        }
        let keyID = try #require(try acmeScope.apiKeys().first { $0.name != "expiring" }?.id)
        _ = try acmeScope.revokeAPIKey(keyID, by: .system)
        #expect(throws: StoreError.authenticationFailed(.revoked)) {
            try fixture.store.authenticate(bearer: acme.apiKey)
        }
    }

    @Test("an unknown prefix or a malformed token fails as invalid credentials")
    func unknown() throws {
        let fixture = try StoreFixture()
        let (acme, _) = try fixture.makeTenant("acme")
        let parts = acme.apiKey.split(separator: "_")
        let otherPrefix = String(repeating: parts[1].hasPrefix("0") ? "1" : "0", count: 16)
        for presented in ["taly_\(otherPrefix)_\(parts[2])", "Bearer x", "", "tses_\(parts[1])_\(parts[2])"] {
            #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
                try fixture.store.authenticate(bearer: presented)
            }
        }
    }
}

@Suite("sign-in by tenant name")
struct SignInTests {
    @Test("the right tenant, email and password sign in; any wrong part fails alike")
    func signIn() throws {
        let fixture = try StoreFixture()
        let (acme, acmeScope) = try fixture.makeTenant("acme")
        let (scope, user) = try fixture.store.signIn(
            tenantName: "acme", email: "OWNER@example.com", password: acme.password)
        #expect(scope.tenantID == acmeScope.tenantID)
        #expect(user.id == acme.owner.id)
        let wrong = [
            ("globex", "owner@example.com", acme.password), ("acme", "nobody@example.com", acme.password),
            ("acme", "owner@example.com", acme.password + "x"),
        ]
        for (tenant, email, password) in wrong {
            #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
                try fixture.store.signIn(tenantName: tenant, email: email, password: password)
            }
        }
    }
}
