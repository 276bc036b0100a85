import GRDB

/// Which kind of bearer credential a presented secret is.
public enum BearerCredentialKind: Sendable, Equatable {
    /// A session token `tses_…` from signing in.
    case session
    /// An API key `taly_…`.
    case apiKey
}

/// Finding the tenant a bearer credential belongs to, so the HTTP layer never takes the tenant
/// from a request field.
extension Store {
    /// The tenant of the session token or API key `token`, and which kind it is.
    ///
    /// Only the token's prefix is looked up (it is unique across tenants); the secret is checked
    /// afterwards by `TenantScope.validateSession` / `authenticateAPIKey` in that scope. Any
    /// token that does not name an existing credential fails as `.invalidCredentials`, like a
    /// wrong secret, so the answer never tells which prefixes exist.
    public func tenantOfCredential(_ token: String) throws(StoreError) -> (TenantScope, BearerCredentialKind) {
        let kind: BearerCredentialKind
        let parsed: SecretToken
        if let session = SecretToken.parse(token, kind: TenantScope.sessionKind) {
            (kind, parsed) = (.session, session)
        } else if let key = SecretToken.parse(token, kind: TenantScope.apiKeyKind) {
            (kind, parsed) = (.apiKey, key)
        } else {
            throw .authenticationFailed(.invalidCredentials)
        }
        let prefix = parsed.prefix
        // The tenant of a prefix never changes; the credential itself is checked in its scope.
        let cached =
            switch kind {
            case .apiKey: apiKeyCache.cachedEntry(prefix: prefix)?.tenantID
            case .session: sessionCache.cachedEntry(prefix: prefix)?.session.tenantID
            }
        if let cached { return (TenantScope(tenantID: cached, store: self), kind) }
        let tenantID: TenantID? = try read { db in
            switch kind {
            case .session:
                try SessionRecord.filter(SessionRecord.Columns.prefix == prefix)
                    .select(SessionRecord.Columns.tenantID, as: TenantID.self).fetchOne(db)
            case .apiKey:
                try APIKeyRecord.filter(APIKeyRecord.Columns.prefix == prefix)
                    .select(APIKeyRecord.Columns.tenantID, as: TenantID.self).fetchOne(db)
            }
        }
        guard let tenantID else { throw .authenticationFailed(.invalidCredentials) }
        return (TenantScope(tenantID: tenantID, store: self), kind)
    }
}

/// Signing in by tenant name, email and password.
extension Store {
    /// The tenant named `tenantName` and its active user with this email and password.
    ///
    /// An unknown tenant fails exactly like an unknown email or a wrong password
    /// (`.invalidCredentials`) and costs the same Argon2 verification, so neither the answer nor
    /// its timing tells which tenants or accounts exist.
    public func signIn(tenantName: String, email: String, password: String) throws(StoreError) -> (
        TenantScope, UserRecord
    ) {
        let found = try read { db in try TenantRecord.filter(TenantRecord.Columns.name == tenantName).fetchOne(db) }
        guard let tenantID = found?.id else {
            _ = PasswordHasher.verify(password, against: PasswordHasher.dummyHash)
            throw .authenticationFailed(.invalidCredentials)
        }
        let scope = TenantScope(tenantID: tenantID, store: self)
        return (scope, try scope.authenticate(email: email, password: password))
    }
}
