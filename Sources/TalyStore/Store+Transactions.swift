import Foundation
import GRDB

/// Transactions with errors translated into `StoreError`s that name the field at fault.
extension Store {
    /// Runs `body` in one write transaction: all of it commits, or none of it.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Runs `body` on a snapshot of the last committed state.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Runs `body`, which must run exactly one SELECT, on a reader outside any explicit
    /// transaction: SQLite makes a single statement atomic on its own, so the BEGIN and COMMIT
    /// around it (two more statements parsed per read) buy nothing for a point read.
    func readOneStatement<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.unsafeRead(body)
        } catch {
            throw Self.translate(error)
        }
    }

    /// The unique constraints a caller can trip, by SQLite's column list, with the field to name.
    private static let uniqueFields: [String: (entity: String, field: String)] = [
        "tenant.name": ("tenant", "name"),
        "user.tenant_id, user.email_normalized": ("user", "email"),
        "role.tenant_id, role.name": ("role", "name"),
        "api_key.prefix": ("api key", "prefix"),
        "session.prefix": ("session", "prefix"),
        "content_type.tenant_id, content_type.name": ("content type", "name"),
        "content_item.tenant_id, content_item.content_type_id, content_item.slug": ("content item", "slug"),
        "product.tenant_id, product.sku": ("product", "sku"),
    ]

    /// Turns a thrown error into a `StoreError`; store errors pass through.
    static func translate(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else { return .databaseUnavailable(reason: describe(error)) }
        let message = error.message ?? ""
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
            let columns = message.replacingOccurrences(of: "UNIQUE constraint failed: ", with: "")
            if let known = uniqueFields[columns] { return .duplicate(entity: known.entity, field: known.field) }
            return .constraintViolation(reason: message)
        case .SQLITE_CONSTRAINT_FOREIGNKEY:
            return .constraintViolation(reason: "a referenced record does not exist in this tenant")
        default:
            if error.resultCode == .SQLITE_CONSTRAINT { return .constraintViolation(reason: message) }
            return .databaseUnavailable(reason: describe(error))
        }
    }
}
