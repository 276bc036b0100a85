import Foundation
import GRDB
import TalyTestSupport

@testable import TalyStore

/// The database a v2 binary (`v1_tenant`, `v2_accounts`) leaves behind, kept as
/// `fixtures/store/v2_accounts.sqlite` so every later migration is tested against real old bytes.
///
/// Written with SQL against the schema of that version, never through today's record types, so the
/// generator keeps producing v2 rows after the types move on. Regenerate (only if the file is lost:
/// a landed fixture is as frozen as its migration) with
/// `TALY_WRITE_FIXTURES=1 swift test --filter MigrationTests`.
enum V2AccountsFixture {
    /// Where the committed file lives.
    static var url: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("fixtures/store/v2_accounts.sqlite")
    }

    static let tenants = ["acme", "globex"]
    static let userEmail = "editor@acme.example"
    static let userPassword = "fixture-password-1"
    /// An API key of tenant `acme` whose SHA-256 is in the fixture.
    static let apiKey = "taly_00112233445566ff_" + String(repeating: "0123456789abcdef", count: 4)

    /// Writes the fixture to `path` (which must not exist).
    static func write(to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: "v1_tenant")
        try queue.write { db in
            for (offset, name) in tenants.enumerated() {
                try db.execute(
                    sql: #"INSERT INTO tenant (name, "createdAt") VALUES (?, ?)"#,
                    arguments: [name, "2025-01-0\(offset + 1) 03:04:05.000"])
            }
        }
        // v2 gives the existing tenants their built-in roles.
        try StoreMigrations.migrator.migrate(queue, upTo: "v2_accounts")
        let passwordHash = try PasswordHasher.hash(userPassword)
        guard let key = SecretToken.parse(apiKey, kind: "taly") else { preconditionFailure("the fixture key parses") }
        try queue.write { db in
            let acme = try Int64.fetchOne(db, sql: "SELECT id FROM tenant WHERE name = 'acme'")!
            let time = "2025-02-03 04:05:06.000"
            try db.execute(
                sql: """
                    INSERT INTO "user" (tenant_id, email, email_normalized, display_name, status, created_at,
                        updated_at, version)
                    VALUES (?, ?, ?, 'Fixture Editor', 'active', ?, ?, 3)
                    """,
                arguments: [acme, userEmail, userEmail, time, time])
            let userID = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO credential (tenant_id, user_id, password_hash, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [acme, userID, passwordHash, time])
            let editorRole = try Int64.fetchOne(
                db, sql: "SELECT id FROM role WHERE tenant_id = ? AND name = 'editor'", arguments: [acme])!
            try db.execute(
                sql: "INSERT INTO user_role (tenant_id, user_id, role_id, created_at) VALUES (?, ?, ?, ?)",
                arguments: [acme, userID, editorRole, time])
            try db.execute(
                sql: """
                    INSERT INTO role (tenant_id, name, built_in, permissions, created_at, updated_at, version)
                    VALUES (?, 'reviewer', 0, '["content.read","search"]', ?, ?, 2)
                    """,
                arguments: [acme, time, time])
            try db.execute(
                sql: """
                    INSERT INTO api_key (tenant_id, name, prefix, secret_hash, scopes, created_by_user_id,
                        created_at, expires_at, last_used_at, revoked, revoked_at)
                    VALUES (?, 'fixture key', ?, ?, '["search"]', ?, ?, NULL, NULL, 0, NULL)
                    """,
                arguments: [acme, key.prefix, key.secretHash, userID, time])
            try db.execute(
                sql: """
                    INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type, target_id,
                        occurred_at, details)
                    VALUES (?, 'system', NULL, 'user.create', 'user', ?, ?, '{"email":"editor@acme.example"}')
                    """,
                arguments: [acme, userID, time])
        }
        // One self-contained file: no WAL beside it.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }
}
