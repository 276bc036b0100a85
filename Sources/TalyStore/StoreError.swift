/// What can go wrong in the record store, named so a caller can say what happened.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// Applying the schema migrations failed; the database was left at its previous version.
    case migrationFailed(reason: String)
    /// The database did not answer a query.
    case databaseUnavailable(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open database \(path): \(reason)"
        case .migrationFailed(let reason): "database migration failed: \(reason)"
        case .databaseUnavailable(let reason): "database unavailable: \(reason)"
        }
    }
}
