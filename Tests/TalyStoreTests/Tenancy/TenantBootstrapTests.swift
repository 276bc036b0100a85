import Foundation
import Testing

@testable import TalyStore

@Suite("tenant bootstrap")
struct TenantBootstrapTests {
    @Test("creating a tenant makes its roles, an owner who can sign in and a working admin key")
    func bootstrap() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme", adminEmail: "Ada@Example.com")
        #expect(bootstrap.tenant.name == "acme")
        #expect(bootstrap.owner.email == "Ada@Example.com")
        #expect(bootstrap.password.count == 24)
        #expect(bootstrap.apiKey.hasPrefix("taly_"))
        #expect(try scope.roles().map(\.name) == ["owner", "admin", "editor", "author", "customer"])
        let owner = try scope.authenticate(email: "ada@example.com", password: bootstrap.password)
        #expect(owner.id == bootstrap.owner.id)
        #expect(try scope.roles(of: owner.id!).map(\.name) == ["owner"])
        #expect(try scope.permissions(of: owner.id!) == Set(Permission.allCases))
        let key = try scope.authenticateAPIKey(bootstrap.apiKey)
        #expect(Set(key.scopes) == BuiltInRole.admin.permissions)
        #expect(try scope.auditLog().map(\.action) == ["tenant.create", "user.create", "api_key.create"])
    }

    @Test("a tenant name that exists is a duplicate error naming the name, and nothing is written")
    func duplicateName() throws {
        let fixture = try StoreFixture()
        _ = try fixture.makeTenant("acme")
        #expect(throws: StoreError.duplicate(entity: "tenant", field: "name")) {
            try fixture.store.createTenant(name: "acme", adminEmail: "other@example.com")
        }
        #expect(try fixture.store.tenants().count == 1)
    }

    @Test(
        "a bad admin email or empty name is refused naming the field",
        arguments: [
            ("acme", "not-an-email", "adminEmail"), ("  ", "a@example.com", "name"),
        ])
    func badInput(name: String, email: String, field: String) throws {
        let fixture = try StoreFixture()
        #expect {
            try fixture.store.createTenant(name: name, adminEmail: email)
        } throws: { error in
            guard case .invalid(let reported, _) = error as? StoreError else { return false }
            return reported == field
        }
        #expect(try fixture.store.tenants().isEmpty)
    }

    @Test("a scope for a tenant that does not exist cannot be obtained")
    func unknownTenant() throws {
        let fixture = try StoreFixture()
        #expect(throws: StoreError.notFound(entity: "tenant", key: "42")) { try fixture.store.tenant(TenantID(42)) }
        #expect(throws: StoreError.notFound(entity: "tenant", key: "nope")) {
            try fixture.store.tenant(named: "nope")
        }
    }
}
