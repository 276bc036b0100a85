import Foundation
import GRDB
import TalyTestSupport

@testable import TalyStore

/// The database a v1 binary (`v1_tenant` only) leaves behind, kept as
/// `fixtures/store/v1_tenant.sqlite`: the oldest schema, whose tenant table still spells its column
/// `createdAt`.
///
/// Written with SQL against the v1 schema, never through today's record types. Regenerate (only if
/// the file is lost: a landed fixture is as frozen as its migration) with
/// `TALY_WRITE_FIXTURES=1 swift test --filter fromV1Fixture`.
enum V1TenantFixture {
    /// Where the committed file lives.
    static var url: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("fixtures/store/v1_tenant.sqlite")
    }

    /// The tenants and their creation times as v1 stored them (UTC, GRDB's text format).
    static let tenants = [("acme", "2025-01-01 03:04:05.000"), ("globex", "2025-01-02 03:04:05.000")]

    /// Writes the fixture to `path` (which must not exist).
    static func write(to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: "v1_tenant")
        try queue.write { db in
            for (name, createdAt) in tenants {
                try db.execute(
                    sql: #"INSERT INTO tenant (name, "createdAt") VALUES (?, ?)"#, arguments: [name, createdAt])
            }
        }
        // One self-contained file: no WAL beside it.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }
}
