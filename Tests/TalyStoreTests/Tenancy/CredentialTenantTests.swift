import Foundation
import Testing

@testable import TalyStore

@Suite("tenant of a bearer credential")
struct CredentialTenantTests {
    @Test("a session token and an API key each lead to their own tenant")
    func findsTenant() throws {
        let fixture = try StoreFixture()
        let (acme, acmeScope) = try fixture.makeTenant("acme")
        let (globex, globexScope) = try fixture.makeTenant("globex")
        let session = try globexScope.createSession(for: globex.owner.id!)
        let (keyScope, keyKind) = try fixture.store.tenantOfCredential(acme.apiKey)
        #expect(keyScope.tenantID == acmeScope.tenantID)
        #expect(keyKind == .apiKey)
        let (sessionScope, sessionKind) = try fixture.store.tenantOfCredential(session.token)
        #expect(sessionScope.tenantID == globexScope.tenantID)
        #expect(sessionKind == .session)
    }

    @Test("an unknown prefix or a malformed token fails as invalid credentials")
    func unknown() throws {
        let fixture = try StoreFixture()
        let (acme, _) = try fixture.makeTenant("acme")
        let parts = acme.apiKey.split(separator: "_")
        let otherPrefix = String(repeating: parts[1].hasPrefix("0") ? "1" : "0", count: 16)
        for presented in ["taly_\(otherPrefix)_\(parts[2])", "Bearer x", "", "tses_\(parts[1])_\(parts[2])"] {
            #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
                try fixture.store.tenantOfCredential(presented)
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
