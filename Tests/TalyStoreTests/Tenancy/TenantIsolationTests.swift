import Foundation
import GRDB
import Testing

@testable import TalyStore

/// Every scoped operation, given tenant B's ids or credentials through tenant A's scope, must act
/// as if they did not exist, and leave B's rows unchanged.
@Suite("tenant isolation")
struct TenantIsolationTests {
    /// Two tenants, each with a user, a custom role, an API key and a session.
    struct World {
        let fixture: StoreFixture
        let a: TenantScope
        let b: TenantScope
        let bOwner: UserRecord
        let bPassword: String
        let bUser: UserRecord
        let bRole: RoleRecord
        let bKey: IssuedAPIKey
        let bSession: IssuedSession
        let aUser: UserRecord
        let aRole: RoleRecord

        init() throws {
            fixture = try StoreFixture()
            let (_, a) = try fixture.makeTenant("tenant-a", adminEmail: "same@example.com")
            let (bootstrapB, b) = try fixture.makeTenant("tenant-b", adminEmail: "same@example.com")
            self.a = a
            self.b = b
            bOwner = bootstrapB.owner
            bPassword = bootstrapB.password
            bRole = try b.createRole(name: "b-only", permissions: [.search], by: .system)
            bUser = try b.createUser(
                email: "b@example.com", displayName: "B", password: "b-password", roles: [bRole.id!], by: .system)
            bKey = try b.createAPIKey(name: "b key", scopes: [.search], by: .system)
            bSession = try b.createSession(for: bUser.id!)
            aRole = try a.createRole(name: "a-only", permissions: [.search], by: .system)
            aUser = try a.createUser(
                email: "a@example.com", displayName: "A", password: "a-password", by: .system)
        }
    }

    static func isNotFound(_ error: any Error, _ entity: String) -> Bool {
        guard case .notFound(let reported, _) = error as? StoreError else { return false }
        return reported == entity
    }

    @Test("A cannot read or list B's users, roles, keys, sessions or audit entries")
    func reads() throws {
        let w = try World()
        let bUserID = w.bUser.id!
        #expect { try w.a.user(bUserID) } throws: { Self.isNotFound($0, "user") }
        #expect(try w.a.user(email: "b@example.com") == nil)
        #expect(try w.a.users().allSatisfy { $0.tenantID == w.a.tenantID })
        #expect(try !w.a.users().contains { $0.id == bUserID || $0.id == w.bOwner.id })
        #expect { try w.a.role(w.bRole.id!) } throws: { Self.isNotFound($0, "role") }
        #expect(try w.a.role(named: "b-only") == nil)
        #expect(try w.a.roles().allSatisfy { $0.tenantID == w.a.tenantID })
        #expect { try w.a.roles(of: bUserID) } throws: { Self.isNotFound($0, "user") }
        #expect { try w.a.permissions(of: bUserID) } throws: { Self.isNotFound($0, "user") }
        #expect { try w.a.apiKey(w.bKey.record.id!) } throws: { Self.isNotFound($0, "api key") }
        #expect(try w.a.apiKeys().allSatisfy { $0.tenantID == w.a.tenantID })
        #expect { try w.a.sessions(of: bUserID) } throws: { Self.isNotFound($0, "user") }
        #expect(try w.a.auditLog(limit: 1000).allSatisfy { $0.tenantID == w.a.tenantID })
        #expect(try w.a.tenant().name == "tenant-a")
    }

    @Test("A cannot authenticate with B's password, API key or session token")
    func authentication() throws {
        let w = try World()
        // The same email exists in both tenants: A's owner must not be reachable with B's password.
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try w.a.authenticate(email: "same@example.com", password: w.bPassword)
        }
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try w.a.authenticate(email: "b@example.com", password: "b-password")
        }
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) { try w.a.authenticateAPIKey(w.bKey.key) }
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try w.a.validateSession(w.bSession.token)
        }
        // B's own scope still accepts them, untouched.
        _ = try w.b.authenticateAPIKey(w.bKey.key)
        _ = try w.b.validateSession(w.bSession.token)
    }

    @Test("A cannot update, disable, re-password, revoke or re-role anything of B's")
    func writes() throws {
        let w = try World()
        let bUserID = w.bUser.id!
        let auditBefore = try w.b.auditLog(limit: 1000)
        #expect { try w.a.updateProfile(bUserID, expectedVersion: 1, displayName: "pwned", by: .system) } throws: {
            Self.isNotFound($0, "user")
        }
        #expect { try w.a.changePassword(bUserID, newPassword: "pwned-password", by: .system) } throws: {
            Self.isNotFound($0, "user")
        }
        #expect { try w.a.disableUser(bUserID, by: .system) } throws: { Self.isNotFound($0, "user") }
        #expect { try w.a.enableUser(bUserID, by: .system) } throws: { Self.isNotFound($0, "user") }
        #expect { try w.a.createSession(for: bUserID) } throws: { Self.isNotFound($0, "user") }
        #expect { try w.a.revokeAPIKey(w.bKey.record.id!, by: .system) } throws: { Self.isNotFound($0, "api key") }
        #expect { try w.a.revokeSession(w.bSession.record.id!, by: .system) } throws: {
            Self.isNotFound($0, "session")
        }
        #expect {
            try w.a.updateRolePermissions(w.bRole.id!, expectedVersion: 1, permissions: [], by: .system)
        } throws: {
            Self.isNotFound($0, "role")
        }
        // Mixing: A's user with B's role, B's user with A's role, B's user with B's role.
        #expect { try w.a.assignRole(w.bRole.id!, to: w.aUser.id!, by: .system) } throws: {
            Self.isNotFound($0, "role")
        }
        #expect { try w.a.assignRole(w.aRole.id!, to: bUserID, by: .system) } throws: { Self.isNotFound($0, "user") }
        #expect { try w.a.removeRole(w.bRole.id!, from: bUserID, by: .system) } throws: {
            Self.isNotFound($0, "user")
        }
        #expect {
            try w.a.createUser(
                email: "x@example.com", displayName: "X", password: "password1", roles: [w.bRole.id!], by: .system)
        } throws: {
            Self.isNotFound($0, "role")
        }
        #expect(try w.a.user(email: "x@example.com") == nil)

        // B is exactly as it was.
        #expect(try w.b.user(bUserID) == w.bUser)
        #expect(try w.b.roles(of: bUserID) == [w.bRole])
        #expect(try w.b.role(w.bRole.id!) == w.bRole)
        #expect(try !w.b.apiKey(w.bKey.record.id!).isRevoked)
        #expect(try w.b.sessions(of: bUserID).allSatisfy { $0.revokedAt == nil })
        _ = try w.b.authenticate(email: "b@example.com", password: "b-password")
        #expect(try w.b.auditLog(limit: 1000) == auditBefore)
    }

    @Test("the schema itself refuses a link between one tenant's user and another tenant's role")
    func schemaRefusesCrossTenantLinks() throws {
        let w = try World()
        #expect(throws: StoreError.constraintViolation(reason: "a referenced record does not exist in this tenant")) {
            try w.fixture.store.write { db in
                try UserRoleRecord(
                    tenantID: w.a.tenantID, userID: w.aUser.id!, roleID: w.bRole.id!, createdAt: Date()
                ).insert(db)
            }
        }
    }
}
