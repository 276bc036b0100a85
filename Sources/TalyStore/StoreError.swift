/// What can go wrong in the record store, named so a caller can say what happened.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// Applying the schema migrations failed; the database was left at its previous version.
    case migrationFailed(reason: String)
    /// The database did not answer a query.
    case databaseUnavailable(reason: String)
    /// A field of the input is malformed; `field` names it as the caller spelled it.
    case invalid(field: String, reason: String)
    /// No `entity` with this key exists in the tenant (or, for tenants, in the store).
    case notFound(entity: String, key: String)
    /// Another `entity` already holds this value of a field that must be unique.
    case duplicate(entity: String, field: String)
    /// The record changed since the caller read it: its version is no longer `expected`.
    case versionConflict(entity: String, id: Int64, expected: Int64, actual: Int64)
    /// A change was refused because it would break a rule of the schema not tied to one field.
    case constraintViolation(reason: String)
    /// Credentials were refused; the reason never tells whether an account exists.
    case authenticationFailed(AuthenticationFailure)
    /// The outbox consumer's checkpoint is older than the retention horizon: events it never saw
    /// were pruned. It must rebuild its state from the store, then reset its checkpoint.
    case outboxConsumerBehind(consumer: String, checkpoint: Int64, prunedThrough: Int64)
    /// Taking `requested` units of a product at a location would oversell it: only `available`
    /// (on hand minus reserved) are there.
    case insufficientStock(productID: Int64, location: String, requested: Int64, available: Int64)
    /// The file offered for a restore is not a usable backup of this store.
    case invalidBackup(path: String, reason: String)
    /// Writing a backup, or installing a restored database, failed; nothing was replaced.
    case backupFailed(path: String, reason: String)

    /// Why credentials were refused.
    public enum AuthenticationFailure: String, Sendable, Equatable {
        /// Unknown account, unknown key or token, or a wrong password or secret: deliberately one case.
        case invalidCredentials
        /// The key or session is past its expiry (absolute or idle).
        case expired
        /// The key or session was revoked.
        case revoked
        /// The account exists and the password is right, but the account is disabled.
        case disabled
    }

    /// One line saying what went wrong.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open database \(path): \(reason)"
        case .migrationFailed(let reason): "database migration failed: \(reason)"
        case .databaseUnavailable(let reason): "database unavailable: \(reason)"
        case .invalid(let field, let reason): "invalid \(field): \(reason)"
        case .notFound(let entity, let key): "no \(entity) \(key)"
        case .duplicate(let entity, let field): "another \(entity) already has this \(field)"
        case .versionConflict(let entity, let id, let expected, let actual):
            "\(entity) \(id) was changed by someone else: expected version \(expected), found \(actual)"
        case .constraintViolation(let reason): "refused by the database: \(reason)"
        case .outboxConsumerBehind(let consumer, let checkpoint, let prunedThrough):
            "outbox consumer \(consumer) is at event \(checkpoint) but events through \(prunedThrough) were pruned: "
                + "rebuild from the store and reset its checkpoint"
        case .insufficientStock(let productID, let location, let requested, let available):
            "insufficient stock of product \(productID) at \(location): requested \(requested), available \(available)"
        case .invalidBackup(let path, let reason): "\(path) is not a usable backup: \(reason)"
        case .backupFailed(let path, let reason): "backup or restore of \(path) failed: \(reason)"
        case .authenticationFailed(let failure):
            switch failure {
            case .invalidCredentials: "authentication failed: invalid credentials"
            case .expired: "authentication failed: expired"
            case .revoked: "authentication failed: revoked"
            case .disabled: "authentication failed: account disabled"
            }
        }
    }
}
