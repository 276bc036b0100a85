import Foundation
import Hummingbird
import NIOPosix
import TalyStore

/// A user as the API shows it.
struct UserResource: ResponseEncodable, Sendable {
    let id: Int64
    let email: String
    let displayName: String
    let status: String
    let roles: [String]
    let createdAt: Date
    let updatedAt: Date
    let version: Int64

    enum CodingKeys: String, CodingKey {
        case id, email, status, roles, version
        case displayName = "display_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ user: UserRecord, roles: [RoleRecord]) {
        id = user.id?.rawValue ?? 0
        email = user.email
        displayName = user.displayName
        status = user.status.rawValue
        self.roles = roles.map(\.name)
        createdAt = user.createdAt
        updatedAt = user.updatedAt
        version = user.version
    }

    static let schema = JSONSchema.object(
        [
            ("id", .integer), ("email", .string(format: "email")), ("display_name", .string()),
            ("status", .string(values: ["active", "disabled"])), ("roles", .array(.string())),
            ("created_at", .string(format: "date-time")), ("updated_at", .string(format: "date-time")),
            ("version", .integer),
        ], required: ["id", "email", "display_name", "status", "roles", "created_at", "updated_at", "version"])
}

/// A session as its owner sees it (never the token).
struct SessionResource: ResponseEncodable, Sendable {
    let id: Int64
    let prefix: String
    let current: Bool
    let createdAt: Date
    let lastSeenAt: Date
    let idleExpiresAt: Date
    let absoluteExpiresAt: Date
    let revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, prefix, current
        case createdAt = "created_at"
        case lastSeenAt = "last_seen_at"
        case idleExpiresAt = "idle_expires_at"
        case absoluteExpiresAt = "absolute_expires_at"
        case revokedAt = "revoked_at"
    }

    init(_ session: SessionRecord, current: SessionID?) {
        id = session.id?.rawValue ?? 0
        prefix = session.prefix
        self.current = session.id == current
        createdAt = session.createdAt
        lastSeenAt = session.lastSeenAt
        idleExpiresAt = session.idleExpiresAt
        absoluteExpiresAt = session.absoluteExpiresAt
        revokedAt = session.revokedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(prefix, forKey: .prefix)
        try container.encode(current, forKey: .current)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastSeenAt, forKey: .lastSeenAt)
        try container.encode(idleExpiresAt, forKey: .idleExpiresAt)
        try container.encode(absoluteExpiresAt, forKey: .absoluteExpiresAt)
        try container.encode(revokedAt, forKey: .revokedAt)
    }

    static let schema = JSONSchema.object(
        [
            ("id", .integer), ("prefix", .string()), ("current", .boolean),
            ("created_at", .string(format: "date-time")), ("last_seen_at", .string(format: "date-time")),
            ("idle_expires_at", .string(format: "date-time")), ("absolute_expires_at", .string(format: "date-time")),
            ("revoked_at", .nullable(.string(format: "date-time"))),
        ], required: ["id", "prefix", "current", "created_at", "idle_expires_at", "absolute_expires_at"])
}

/// An API key as listings show it (never the secret).
struct APIKeyResource: ResponseEncodable, Sendable {
    let id: Int64
    let name: String
    let prefix: String
    let scopes: [String]
    let createdAt: Date
    let expiresAt: Date?
    let lastUsedAt: Date?
    let revoked: Bool
    let revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, scopes, revoked
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }

    init(_ key: APIKeyRecord) {
        id = key.id?.rawValue ?? 0
        name = key.name
        prefix = key.prefix
        scopes = key.scopes.map(\.rawValue)
        createdAt = key.createdAt
        expiresAt = key.expiresAt
        lastUsedAt = key.lastUsedAt
        revoked = key.isRevoked
        revokedAt = key.revokedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(prefix, forKey: .prefix)
        try container.encode(scopes, forKey: .scopes)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(revoked, forKey: .revoked)
        try container.encode(revokedAt, forKey: .revokedAt)
    }

    static let schema = JSONSchema.object(
        [
            ("id", .integer), ("name", .string()), ("prefix", .string()),
            ("scopes", .array(.string(values: Permission.allCases.map(\.rawValue)))),
            ("created_at", .string(format: "date-time")), ("expires_at", .nullable(.string(format: "date-time"))),
            ("last_used_at", .nullable(.string(format: "date-time"))), ("revoked", .boolean),
            ("revoked_at", .nullable(.string(format: "date-time"))),
        ], required: ["id", "name", "prefix", "scopes", "created_at", "revoked"])
}

/// Runs Argon2 work (tens of milliseconds) off the concurrency pool's few threads.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}

/// A JSON response with a status and, for editable resources, an ETag.
func respond(
    _ value: some Encodable, status: HTTPResponse.Status = .ok, etag version: Int64? = nil,
    context: TalyRequestContext, request: Request
) throws -> Response {
    var response = try context.responseEncoder.encode(value, from: request, context: context)
    response.status = status
    if let version { response.headers[.eTag] = ETag.of(version: version) }
    return response
}
