import Foundation
import Testing

@testable import TalyStore

@Suite("users, passwords and roles")
struct UserTests {
    @Test("a created user signs in with their password, in any email case, and not with another")
    func signIn() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let editor = try scope.role(.editor)
        let user = try scope.createUser(
            email: " Bob@Example.com ", displayName: "Bob", password: "hunter2hunter2", roles: [editor.id!],
            by: .system)
        #expect(user.email == "Bob@Example.com")
        #expect(user.emailNormalized == "bob@example.com")
        #expect(user.version == 1)
        #expect(try scope.authenticate(email: "BOB@example.com", password: "hunter2hunter2") == user)
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try scope.authenticate(email: "bob@example.com", password: "hunter3hunter3")
        }
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try scope.authenticate(email: "nobody@example.com", password: "hunter2hunter2")
        }
        #expect(try scope.permissions(of: user.id!) == BuiltInRole.editor.permissions)
    }

    @Test("the same email twice in one tenant is a duplicate naming email; in two tenants it is fine")
    func emailUniquePerTenant() throws {
        let fixture = try StoreFixture()
        let (_, acme) = try fixture.makeTenant("acme")
        let (_, globex) = try fixture.makeTenant("globex")
        _ = try acme.createUser(email: "sam@example.com", displayName: "Sam", password: "password1", by: .system)
        #expect(throws: StoreError.duplicate(entity: "user", field: "email")) {
            try acme.createUser(email: "SAM@example.com", displayName: "Sam 2", password: "password1", by: .system)
        }
        let other = try globex.createUser(
            email: "sam@example.com", displayName: "Sam", password: "password1", by: .system)
        #expect(other.tenantID == globex.tenantID)
    }

    @Test(
        "malformed emails are invalid, naming the email field",
        arguments: [
            "", "plain", "a@b", "a@@b.com", "a b@example.com", "@example.com", "a@example..com", "a@-x.com",
        ])
    func invalidEmail(email: String) throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        #expect {
            try scope.createUser(email: email, displayName: "X", password: "password1", by: .system)
        } throws: { error in
            guard case .invalid(let field, _) = error as? StoreError else { return false }
            return field == "email"
        }
    }

    @Test("a profile update with a stale version is a version conflict and changes nothing")
    func optimisticConcurrency() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let id = bootstrap.owner.id!
        let updated = try scope.updateProfile(id, expectedVersion: 1, displayName: "Ada L.", by: .user(id))
        #expect(updated.version == 2)
        #expect(updated.displayName == "Ada L.")
        #expect(throws: StoreError.versionConflict(entity: "user", id: id.rawValue, expected: 1, actual: 2)) {
            try scope.updateProfile(id, expectedVersion: 1, displayName: "Someone else", by: .user(id))
        }
        #expect(try scope.user(id).displayName == "Ada L.")
    }

    @Test("changing the email to one another user holds is a duplicate naming email")
    func emailChangeConflict() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme", adminEmail: "ada@example.com")
        _ = try scope.createUser(email: "bob@example.com", displayName: "Bob", password: "password1", by: .system)
        #expect(throws: StoreError.duplicate(entity: "user", field: "email")) {
            try scope.updateProfile(bootstrap.owner.id!, expectedVersion: 1, email: "Bob@example.com", by: .system)
        }
    }

    @Test("a new password replaces the old one and ends the user's sessions")
    func changePassword() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let id = bootstrap.owner.id!
        let session = try scope.createSession(for: id)
        let user = try scope.changePassword(id, newPassword: "a brand new one", by: .user(id))
        #expect(user.version == 2)
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try scope.authenticate(email: "owner@example.com", password: bootstrap.password)
        }
        _ = try scope.authenticate(email: "owner@example.com", password: "a brand new one")
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.validateSession(session.token) }
    }

    @Test("every bad field of a new user is reported, each by its name")
    func newUserProblems() {
        let all = UserRecord.newUserProblems(email: "not an email", displayName: " ", password: "short")
        let fields = all.compactMap { problem -> String? in
            if case .invalid(let field, _) = problem { field } else { nil }
        }
        #expect(fields == ["email", "displayName", "password"])
        #expect(UserRecord.newUserProblems(email: "a@example.com", displayName: "A", password: "long enough").isEmpty)
    }

    @Test("changing the password from a session keeps that session and ends the others")
    func changePasswordKeepsCurrentSession() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let id = bootstrap.owner.id!
        let current = try scope.createSession(for: id)
        let other = try scope.createSession(for: id)
        _ = try scope.changePassword(id, newPassword: "a brand new one", keeping: current.record.id, by: .user(id))
        #expect(try scope.validateSession(current.token).revokedAt == nil)
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.validateSession(other.token) }
    }

    @Test("a disabled user cannot sign in or keep sessions, and an enabled one can again")
    func disable() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let user = try scope.createUser(email: "c@example.com", displayName: "C", password: "password1", by: .system)
        let session = try scope.createSession(for: user.id!)
        let disabled = try scope.disableUser(user.id!, by: .user(bootstrap.owner.id!))
        #expect(disabled.status == .disabled)
        #expect(throws: StoreError.authenticationFailed(.disabled)) {
            try scope.authenticate(email: "c@example.com", password: "password1")
        }
        #expect(throws: StoreError.authenticationFailed(.revoked)) { try scope.validateSession(session.token) }
        #expect(throws: StoreError.authenticationFailed(.disabled)) { try scope.createSession(for: user.id!) }
        _ = try scope.enableUser(user.id!, by: .system)
        _ = try scope.createSession(for: user.id!)
    }

    @Test("custom roles grant their permissions; built-in names are taken and built-in roles fixed")
    func customRoles() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let role = try scope.createRole(name: "auditor", permissions: [.auditRead, .usersRead], by: .system)
        #expect(role.permissions == [.auditRead, .usersRead])
        #expect(throws: StoreError.duplicate(entity: "role", field: "name")) {
            try scope.createRole(name: "admin", permissions: [], by: .system)
        }
        let user = try scope.createUser(email: "d@example.com", displayName: "D", password: "password1", by: .system)
        try scope.assignRole(role.id!, to: user.id!, by: .system)
        try scope.assignRole(role.id!, to: user.id!, by: .system)
        #expect(try scope.permissions(of: user.id!) == [.auditRead, .usersRead])
        let widened = try scope.updateRolePermissions(
            role.id!, expectedVersion: 1, permissions: [.auditRead, .usersRead, .search], by: .system)
        #expect(try scope.permissions(of: user.id!) == [.auditRead, .usersRead, .search])
        #expect(throws: StoreError.versionConflict(entity: "role", id: role.id!.rawValue, expected: 1, actual: 2)) {
            try scope.updateRolePermissions(role.id!, expectedVersion: 1, permissions: [], by: .system)
        }
        #expect(widened.version == 2)
        #expect(throws: StoreError.self) {
            try scope.updateRolePermissions(
                try scope.role(.admin).id!, expectedVersion: 1, permissions: [], by: .system)
        }
        try scope.removeRole(role.id!, from: user.id!, by: .system)
        #expect(try scope.permissions(of: user.id!).isEmpty)
        #expect(throws: StoreError.constraintViolation(reason: "a tenant keeps at least one owner")) {
            try scope.removeRole(try scope.role(.owner).id!, from: bootstrap.owner.id!, by: .system)
        }
    }

    @Test("every change writes its audit entry with the actor, in order")
    func audit() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        let owner = Actor.user(bootstrap.owner.id!)
        let user = try scope.createUser(email: "e@example.com", displayName: "E", password: "password1", by: owner)
        _ = try scope.updateProfile(user.id!, expectedVersion: 1, displayName: "Eve", by: owner)
        _ = try scope.disableUser(user.id!, by: owner)
        let key = try scope.createAPIKey(name: "ci", scopes: [.search], by: owner)
        _ = try scope.revokeAPIKey(key.record.id!, by: .apiKey(bootstrap.apiKeyRecord.id!))
        let entries = try scope.auditLog()
        #expect(
            entries.map(\.action) == [
                "tenant.create", "user.create", "api_key.create", "user.create", "user.update", "user.disable",
                "api_key.create", "api_key.revoke",
            ])
        #expect(entries[3].actor == owner)
        #expect(entries[3].targetID == user.id!.rawValue)
        #expect(entries[4].details == #"{"display_name":"Eve"}"#)
        #expect(entries[7].actor == .apiKey(bootstrap.apiKeyRecord.id!))
        #expect(try scope.auditLog(after: entries[5].id!, limit: 1).map(\.action) == ["api_key.create"])
        #expect(!entries.contains { $0.details.contains(key.key) || $0.details.contains(bootstrap.password) })
    }
}
