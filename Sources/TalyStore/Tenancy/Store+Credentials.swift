import GRDB

/// Which kind of bearer credential a presented secret is.
public enum BearerCredentialKind: Sendable, Equatable {
    /// A session token `tses_…` from signing in.
    case session
    /// An API key `taly_…`.
    case apiKey
}

/// A bearer credential that authenticated, with what a request needs of it.
public enum AuthenticatedCredential: Sendable, Equatable {
    /// A live session token, with its user and their permissions.
    case session(AuthenticatedSession)
    /// A live API key.
    case apiKey(APIKeyRecord)

    /// Which kind of credential it is.
    public var kind: BearerCredentialKind {
        switch self {
        case .session: .session
        case .apiKey: .apiKey
        }
    }
}

/// Authenticating a bearer credential, whose tenant is the credential's, so the HTTP layer never
/// takes the tenant from a request field.
extension Store {
    /// The tenant of the session token or API key `token`, and the credential, checked.
    ///
    /// The token is parsed and its secret hashed once. Only the token's prefix is looked up to
    /// find the tenant (it is unique across tenants); the secret, revocation and expiry are then
    /// checked in that tenant's scope exactly as `TenantScope.authenticateSession` /
    /// `authenticateAPIKey` check them. Any token that does not name an existing credential fails
    /// as `.invalidCredentials`, like a wrong secret, so the answer never tells which prefixes
    /// exist.
    public func authenticate(bearer token: String) throws(StoreError) -> (TenantScope, AuthenticatedCredential) {
        if let parsed = SecretToken.parse(token, kind: TenantScope.sessionKind) {
            // One cache lookup serves both the tenant and the check: the tenant of a prefix never
            // changes, and the entry is current for the data version it returns with.
            let lookup = sessionCache.entry(prefix: parsed.prefix)
            let tenant = TenantScope(
                tenantID: try tenantOfPrefix(parsed.prefix, kind: .session, cached: lookup.entry?.session.tenantID),
                store: self)
            return (tenant, .session(try tenant.authenticateSession(parsed, lookup: lookup)))
        }
        if let parsed = SecretToken.parse(token, kind: TenantScope.apiKeyKind) {
            let lookup = apiKeyCache.entry(prefix: parsed.prefix)
            let tenant = TenantScope(
                tenantID: try tenantOfPrefix(parsed.prefix, kind: .apiKey, cached: lookup.entry?.tenantID), store: self)
            return (tenant, .apiKey(try tenant.authenticateAPIKey(parsed, lookup: lookup)))
        }
        throw .authenticationFailed(.invalidCredentials)
    }

    /// The tenant whose credential of `kind` has `prefix` (`cached` when the cache knew it);
    /// `.invalidCredentials` when none has.
    private func tenantOfPrefix(_ prefix: String, kind: BearerCredentialKind, cached: TenantID?) throws(StoreError)
        -> TenantID
    {
        if let cached { return cached }
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
        return tenantID
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
