import Foundation
import GRDB

/// A newly created API key with its one-time plaintext.
public struct IssuedAPIKey: Sendable {
    /// The stored key (without its secret).
    public let record: APIKeyRecord
    /// `taly_<prefix>_<secret>`: shown once, never stored.
    public let key: String
}

/// API keys: creation, authentication, revocation.
extension TenantScope {
    /// The API-key token kind.
    static let apiKeyKind = "taly"
    /// How stale `last_used_at` may get before an authentication writes it again.
    static let lastUsedResolution: TimeInterval = 60

    /// Creates a key with `scopes`, expiring at `expiresAt` if given; the plaintext is returned only here.
    public func createAPIKey(
        name: String, scopes: Set<Permission>, expiresAt: Date?, by actor: Actor
    ) throws(StoreError) -> IssuedAPIKey {
        let name = try Self.validRoleName(name)
        let time = now
        if let expiresAt, expiresAt <= time { throw .invalid(field: "expiresAt", reason: "is not in the future") }
        return try store.write { db in
            try insertAPIKey(db, name: name, scopes: scopes, expiresAt: expiresAt, by: actor, at: time)
        }
    }

    /// The key presented as `key`, if it is this tenant's, unexpired and unrevoked; records its use.
    public func authenticateAPIKey(_ key: String) throws(StoreError) -> APIKeyRecord {
        guard let token = SecretToken.parse(key, kind: Self.apiKeyKind) else {
            throw .authenticationFailed(.invalidCredentials)
        }
        return try authenticateAPIKey(token, lookup: store.apiKeyCache.entry(prefix: token.prefix))
    }

    /// `authenticateAPIKey` of a parsed token, given what the cache held for its prefix
    /// (`Store.authenticate(bearer:)` looks once for the tenant and the check).
    func authenticateAPIKey(_ token: SecretToken, lookup: (entry: APIKeyRecord?, version: Int64?)) throws(StoreError)
        -> APIKeyRecord
    {
        let tenantID = tenantID
        let time = now
        // A key that authenticated since the last commit anywhere is taken from the cache: the
        // secret and expiry are checked again, the row is not read (`CredentialCache`).
        let (cached, version) = lookup
        var record: APIKeyRecord
        if let cached {
            guard cached.tenantID == tenantID, token.matches(storedHash: cached.secretHash) else {
                throw .authenticationFailed(.invalidCredentials)
            }
            record = cached
        } else {
            // Authenticating is a read: only a stale last-used time costs a write, at most once per
            // `lastUsedResolution`, so concurrent requests with one key do not queue on the writer.
            record = try store.read { db in
                guard
                    let record =
                        try APIKeyRecord
                        .filter(
                            APIKeyRecord.Columns.tenantID == tenantID && APIKeyRecord.Columns.prefix == token.prefix
                        )
                        .fetchOne(db),
                    token.matches(storedHash: record.secretHash)
                else { throw StoreError.authenticationFailed(.invalidCredentials) }
                if record.isRevoked { throw StoreError.authenticationFailed(.revoked) }
                return record
            }
        }
        if let expiresAt = record.expiresAt, time >= expiresAt { throw .authenticationFailed(.expired) }
        if record.lastUsedAt.map({ time.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
            record.lastUsedAt = time
            // The commit moves the data version, so the cache is emptied and this key read again.
            try store.write { [record] db in try record.update(db, columns: [APIKeyRecord.Columns.lastUsedAt]) }
        } else {
            store.apiKeyCache.remember(record, prefix: record.prefix, readAfter: version)
        }
        return record
    }

    /// Revokes the key `id`; revoking a revoked key changes nothing.
    public func revokeAPIKey(_ id: APIKeyID, by actor: Actor) throws(StoreError) -> APIKeyRecord {
        let time = now
        return try store.write { db in
            var record = try fetchAPIKey(db, id)
            guard !record.isRevoked else { return record }
            record.isRevoked = true
            record.revokedAt = time
            try record.update(db)
            try audit(
                db, actor: actor, action: "api_key.revoke", targetType: "api_key", targetID: id.rawValue, at: time)
            return record
        }
    }

    /// The key `id` of this tenant.
    public func apiKey(_ id: APIKeyID) throws(StoreError) -> APIKeyRecord {
        try store.read { db in try fetchAPIKey(db, id) }
    }

    /// Every key of the tenant, by id.
    public func apiKeys() throws(StoreError) -> [APIKeyRecord] {
        let tenantID = tenantID
        return try store.read { db in
            try APIKeyRecord.filter(APIKeyRecord.Columns.tenantID == tenantID).order(APIKeyRecord.Columns.id)
                .fetchAll(db)
        }
    }

    // MARK: - Inside transactions

    func insertAPIKey(
        _ db: Database, name: String, scopes: Set<Permission>, expiresAt: Date?, by actor: Actor, at time: Date
    ) throws -> IssuedAPIKey {
        let token = SecretToken.generate(kind: Self.apiKeyKind)
        let creator: UserID? =
            if case .user(let id) = actor { id } else { nil }
        var record = APIKeyRecord(
            id: nil, tenantID: tenantID, name: name, prefix: token.prefix, secretHash: token.secretHash,
            scopes: scopes.sorted(), createdByUserID: creator, createdAt: time, expiresAt: expiresAt,
            lastUsedAt: nil, isRevoked: false, revokedAt: nil)
        try record.insert(db)
        try audit(
            db, actor: actor, action: "api_key.create", targetType: "api_key", targetID: record.id?.rawValue,
            details: ["name": name, "prefix": token.prefix, "scopes": Self.list(scopes)], at: time)
        guard let plaintext = token.plaintext else { preconditionFailure("a generated token has its plaintext") }
        return IssuedAPIKey(record: record, key: plaintext)
    }

    func fetchAPIKey(_ db: Database, _ id: APIKeyID) throws -> APIKeyRecord {
        guard
            let record =
                try APIKeyRecord
                .filter(APIKeyRecord.Columns.tenantID == tenantID && APIKeyRecord.Columns.id == id)
                .fetchOne(db)
        else { throw StoreError.notFound(entity: "api key", key: id.description) }
        return record
    }
}
