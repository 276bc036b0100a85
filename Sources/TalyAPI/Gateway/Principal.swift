import TalyStore

/// Who is calling, established by `AuthMiddleware` from the request's bearer credential: the
/// tenant always comes from the credential, never from a request field.
public struct Principal: Sendable {
    /// How the caller proved who they are.
    public enum Credential: Sendable {
        /// A signed-in user's session.
        case session(SessionRecord, UserRecord)
        /// An API key.
        case apiKey(APIKeyRecord)
    }

    /// The caller's tenant: the only door to its data.
    public let tenant: any TenantStore
    /// The session or key presented.
    public let credential: Credential
    /// What the caller may do: the user's roles' permissions, or the key's scopes.
    public let permissions: Set<Permission>

    /// The actor written to the audit log.
    public var actor: Actor {
        switch credential {
        case .session(_, let user): .user(user.id ?? UserID(0))
        case .apiKey(let key): .apiKey(key.id ?? APIKeyID(0))
        }
    }

    /// The signed-in user, nil for an API key.
    public var userID: UserID? {
        if case .session(_, let user) = credential { user.id } else { nil }
    }

    /// The session in use, nil for an API key.
    public var sessionID: SessionID? {
        if case .session(let session, _) = credential { session.id } else { nil }
    }

    /// A key holding only `search`: meant for public web pages, so it sees published content
    /// only (search routes check this).
    public var isPublicSearchKey: Bool {
        if case .apiKey = credential { permissions == [.search] } else { false }
    }

    /// Whether the caller may read data about `user`: themselves always, others with
    /// `users.read`. A customer (no `users.read`) sees only their own data.
    public func mayRead(user: UserID) -> Bool {
        userID == user || permissions.contains(.usersRead)
    }

    /// Whether the caller may change `user`: themselves always, others
    /// with `users.manage`.
    public func mayManage(user: UserID) -> Bool {
        userID == user || permissions.contains(.usersManage)
    }
}
