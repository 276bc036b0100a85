import Foundation
import GRDB

/// A newly created session with its one-time token.
public struct IssuedSession: Sendable {
    /// The stored session (without its secret).
    public let record: SessionRecord
    /// `tses_<prefix>_<secret>`: shown once, never stored.
    public let token: String
}

/// Sessions of signed-in users: idle expiry that slides with use, and an absolute expiry.
extension TenantScope {
    /// The session token kind.
    static let sessionKind = "tses"

    /// Opens a session for the active user `userID`; the token is returned only here.
    public func createSession(
        for userID: UserID, idleTimeout: TimeInterval, absoluteTimeout: TimeInterval
    ) throws(StoreError) -> IssuedSession {
        guard idleTimeout >= 1 else { throw .invalid(field: "idleTimeout", reason: "must be at least one second") }
        guard absoluteTimeout >= idleTimeout else {
            throw .invalid(field: "absoluteTimeout", reason: "must be at least the idle timeout")
        }
        let time = now
        return try store.write { db in
            let user = try fetchUser(db, userID)
            guard user.status == .active else { throw StoreError.authenticationFailed(.disabled) }
            let token = SecretToken.generate(kind: Self.sessionKind)
            var record = SessionRecord(
                id: nil, tenantID: tenantID, userID: userID, prefix: token.prefix, tokenHash: token.secretHash,
                createdAt: time, lastSeenAt: time, idleTimeoutSeconds: Int64(idleTimeout),
                idleExpiresAt: time.addingTimeInterval(TimeInterval(Int64(idleTimeout))),
                absoluteExpiresAt: time.addingTimeInterval(absoluteTimeout), revokedAt: nil)
            try record.insert(db)
            try audit(
                db, actor: .user(userID), action: "session.create", targetType: "session",
                targetID: record.id?.rawValue, details: ["prefix": token.prefix], at: time)
            guard let plaintext = token.plaintext else { preconditionFailure("a generated token has its plaintext") }
            return IssuedSession(record: record, token: plaintext)
        }
    }

    /// The live session presented as `token`, with its idle expiry pushed forward.
    ///
    /// To spare a write per request, the idle expiry slides only once the session has gone
    /// unseen for a little while (a minute, or a quarter of a short idle timeout).
    public func validateSession(_ token: String) throws(StoreError) -> SessionRecord {
        guard let token = SecretToken.parse(token, kind: Self.sessionKind) else {
            throw .authenticationFailed(.invalidCredentials)
        }
        let tenantID = tenantID
        let time = now
        // Validating is a read: extending the idle expiry costs a write at most once a minute
        // (or a quarter of the idle timeout), so concurrent requests do not queue on the writer.
        var record = try store.read { db in
            guard
                let record =
                    try SessionRecord
                    .filter(SessionRecord.Columns.tenantID == tenantID && SessionRecord.Columns.prefix == token.prefix)
                    .fetchOne(db),
                token.matches(storedHash: record.tokenHash)
            else { throw StoreError.authenticationFailed(.invalidCredentials) }
            if record.revokedAt != nil { throw StoreError.authenticationFailed(.revoked) }
            if time >= record.absoluteExpiresAt || time >= record.idleExpiresAt {
                throw StoreError.authenticationFailed(.expired)
            }
            let user = try fetchUser(db, record.userID)
            guard user.status == .active else { throw StoreError.authenticationFailed(.disabled) }
            return record
        }
        let idle = TimeInterval(record.idleTimeoutSeconds)
        if time.timeIntervalSince(record.lastSeenAt) >= min(60, idle / 4) {
            record.lastSeenAt = time
            record.idleExpiresAt = min(time.addingTimeInterval(idle), record.absoluteExpiresAt)
            try store.write { [record] db in
                try record.update(db, columns: [SessionRecord.Columns.lastSeenAt, SessionRecord.Columns.idleExpiresAt])
            }
        }
        return record
    }

    /// Ends the session `id` (sign-out); revoking a revoked session changes nothing.
    public func revokeSession(_ id: SessionID, by actor: Actor) throws(StoreError) -> SessionRecord {
        let time = now
        let tenantID = tenantID
        return try store.write { db in
            guard
                var record =
                    try SessionRecord
                    .filter(SessionRecord.Columns.tenantID == tenantID && SessionRecord.Columns.id == id)
                    .fetchOne(db)
            else { throw StoreError.notFound(entity: "session", key: id.description) }
            guard record.revokedAt == nil else { return record }
            record.revokedAt = time
            try record.update(db)
            try audit(
                db, actor: actor, action: "session.revoke", targetType: "session", targetID: id.rawValue, at: time)
            return record
        }
    }

    /// The sessions of `userID`, newest first, including ended ones.
    public func sessions(of userID: UserID) throws(StoreError) -> [SessionRecord] {
        let tenantID = tenantID
        return try store.read { db in
            _ = try fetchUser(db, userID)
            return
                try SessionRecord
                .filter(SessionRecord.Columns.tenantID == tenantID && SessionRecord.Columns.userID == userID)
                .order(SessionRecord.Columns.id.desc)
                .fetchAll(db)
        }
    }

    /// Revokes every live session of `userID` but `kept`; returns how many.
    func revokeSessions(_ db: Database, of userID: UserID, except kept: SessionID? = nil, at time: Date) throws -> Int {
        var request = SessionRecord.filter(
            SessionRecord.Columns.tenantID == tenantID && SessionRecord.Columns.userID == userID
                && SessionRecord.Columns.revokedAt == nil)
        if let kept { request = request.filter(SessionRecord.Columns.id != kept) }
        return try request.updateAll(db, SessionRecord.Columns.revokedAt.set(to: time))
    }
}
