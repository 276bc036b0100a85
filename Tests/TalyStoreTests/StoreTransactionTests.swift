import Foundation
import GRDB
import Testing

@testable import TalyStore

@Suite("transactions and constraint errors")
struct StoreTransactionTests {
    @Test("a unique violation that slips past the checks (a race) still names the field")
    func uniqueViolationNamesField() throws {
        let fixture = try StoreFixture()
        let (bootstrap, scope) = try fixture.makeTenant("acme")
        var copy = bootstrap.owner
        copy.id = nil
        #expect(throws: StoreError.duplicate(entity: "user", field: "email")) {
            try fixture.store.write { db in try copy.insert(db) }
        }
        #expect(try scope.users().count == 1)
    }

    @Test("a CHECK violation is a constraint violation, not a crash")
    func checkViolation() throws {
        let fixture = try StoreFixture()
        let (bootstrap, _) = try fixture.makeTenant("acme")
        var user = bootstrap.owner
        user.version = 0
        #expect {
            try fixture.store.write { db in try user.update(db) }
        } throws: { error in
            guard case .constraintViolation = error as? StoreError else { return false }
            return true
        }
    }

    @Test("a user whose role is missing is not created at all, nor audited")
    func atomicCreate() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let auditBefore = try scope.auditLog()
        #expect(throws: StoreError.notFound(entity: "role", key: "999")) {
            try scope.createUser(
                email: "f@example.com", displayName: "F", password: "password1", roles: [RoleID(999)], by: .system)
        }
        #expect(try scope.user(email: "f@example.com") == nil)
        #expect(try scope.auditLog() == auditBefore)
    }
}
