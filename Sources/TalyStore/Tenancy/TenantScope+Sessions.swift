import Foundation
import GRDB

/// A newly created session with its one-time token.
public struct IssuedSession: Sendable {
    /// The stored session (without its secret).
    public let record: SessionRecord
    /// `tses_<prefix>_<secret>`: shown once, never stored.
    public let token: String
}

/// A live session with its user and what the user may do, as a request authenticates.
public struct AuthenticatedSession: Sendable, Equatable {
    /// The session, its idle expiry pushed forward if it was due.
    public var session: SessionRecord
    /// Its user, active.
    public let user: UserRecord
    /// Everything the user may do through their roles.
    public let permissions: Set<Permission>
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
        let time = now
        // Validating is a read: extending the idle expiry costs a write at most once a minute
        // (or a quarter of the idle timeout), so concurrent requests do not queue on the writer.
        let record = try store.read { db in try liveSession(db, token, at: time).session }
        return try slideIdleExpiry(record, at: time) ?? record
    }

    /// The live session presented as `token` with its user and the user's permissions: what a
    /// request needs to authenticate, checked as `validateSession` checks it.
    ///
    /// Kept in the store's `CredentialCache` until the next commit by any connection of any
    /// process — signing out, disabling the user, changing their roles and sliding the idle
    /// expiry are all commits — so a request with a known session reads no row. Expiry is still
    /// checked against the clock on every use.
    public func authenticateSession(_ token: String) throws(StoreError) -> AuthenticatedSession {
        guard let parsed = SecretToken.parse(token, kind: Self.sessionKind) else {
            throw .authenticationFailed(.invalidCredentials)
        }
        return try authenticateSession(parsed, lookup: store.sessionCache.entry(prefix: parsed.prefix))
    }

    /// `authenticateSession` of a parsed token, given what the cache held for its prefix
    /// (`Store.authenticate(bearer:)` looks once for the tenant and the check).
    func authenticateSession(
        _ parsed: SecretToken, lookup: (entry: AuthenticatedSession?, version: Int64?)
    ) throws(StoreError) -> AuthenticatedSession {
        let tenantID = tenantID
        let time = now
        let (cached, version) = lookup
        var found: AuthenticatedSession
        if let cached {
            guard cached.session.tenantID == tenantID, parsed.matches(storedHash: cached.session.tokenHash) else {
                throw .authenticationFailed(.invalidCredentials)
            }
            if time >= cached.session.absoluteExpiresAt || time >= cached.session.idleExpiresAt {
                throw .authenticationFailed(.expired)
            }
            found = cached
        } else {
            found = try store.read { db in
                let (session, user) = try liveSession(db, parsed, at: time)
                let permissions = try fetchRoles(db, of: session.userID).reduce(into: Set<Permission>()) {
                    $0.formUnion($1.permissions)
                }
                return AuthenticatedSession(session: session, user: user, permissions: permissions)
            }
        }
        if let slid = try slideIdleExpiry(found.session, at: time) {
            // The commit moved the data version, so the cache is emptied and this session read again.
            found.session = slid
        } else {
            store.sessionCache.remember(found, prefix: parsed.prefix, readAfter: version)
        }
        return found
    }

    /// The session row of `token` and its user, when the session is live and the user active.
    private func liveSession(_ db: Database, _ token: SecretToken, at time: Date) throws -> (
        session: SessionRecord, user: UserRecord
    ) {
        let tenantID = tenantID
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
        return (record, user)
    }

    /// `record` with its idle expiry pushed forward and saved, when it went unseen long enough;
    /// nil when it is recent enough to leave alone.
    private func slideIdleExpiry(_ record: SessionRecord, at time: Date) throws(StoreError) -> SessionRecord? {
        let idle = TimeInterval(record.idleTimeoutSeconds)
        guard time.timeIntervalSince(record.lastSeenAt) >= min(60, idle / 4) else { return nil }
        var record = record
        record.lastSeenAt = time
        record.idleExpiresAt = min(time.addingTimeInterval(idle), record.absoluteExpiresAt)
        try store.write { [record] db in
            try record.update(db, columns: [SessionRecord.Columns.lastSeenAt, SessionRecord.Columns.idleExpiresAt])
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
