import Foundation
import Hummingbird
import TalyStore

/// API keys of the caller's tenant: create (secret shown once), list, read, revoke.
///
/// Scopes are permission names (`content.read`, `search`…; `admin` stands for every permission
/// of the admin role). A key holding only `search` is the public key for web pages. The colon
/// spelling (`content:read`) is accepted as well; answers always give the canonical dotted one,
/// the `Permission` raw value.
struct APIKeysController: Sendable {
    struct CreateBody: Decodable, Sendable {
        let name: String
        let scopes: [String]
        /// ISO 8601 text, parsed here so a bad date is a 422 naming the field.
        let expiresAt: String?

        enum CodingKeys: String, CodingKey {
            case name, scopes
            case expiresAt = "expires_at"
        }
    }

    struct Created: Encodable, Sendable {
        let key: String
        let apiKey: APIKeyResource

        enum CodingKeys: String, CodingKey {
            case key
            case apiKey = "api_key"
        }
    }

    func register(_ api: RouteRegistry) {
        let keySchema = APIKeyResource.schema
        api.add(
            RouteDoc(
                .post, "/v1/api-keys",
                summary:
                    "Create an API key; its secret is in this answer only. Scopes as content.read or content:read; "
                    + "answers give the dotted spelling",
                tag: "api-keys",
                access: .permission(.apiKeysManage),
                requestBody: .object(
                    [
                        ("name", .string()),
                        ("scopes", .array(.string(values: Self.acceptedScopeNames))),
                        ("expires_at", .string(format: "date-time")),
                    ], required: ["name", "scopes"]),
                successStatus: 201,
                response: .object([("key", .string()), ("api_key", keySchema)], required: ["key", "api_key"]))
        ) { request, context in
            let principal = try context.require(.apiKeysManage)
            let body = try await request.decodeJSON(as: CreateBody.self, context: context)
            let scopes = try Self.scopes(body.scopes)
            let expiresAt = try body.expiresAt.map { text throws(APIError) in
                guard let date = ISO8601DateFormatter().date(from: text) else {
                    throw .invalid("expires_at", "must be an ISO 8601 date-time such as 2027-01-31T12:00:00Z")
                }
                return date
            }
            guard scopes.isSubset(of: principal.permissions) else {
                let missing = scopes.subtracting(principal.permissions).sorted().map(\.rawValue).joined(separator: ", ")
                throw APIError(.forbidden, "a key cannot hold permissions its creator lacks: \(missing)")
            }
            let issued = try principal.tenant.createAPIKey(
                name: body.name, scopes: scopes, expiresAt: expiresAt, by: principal.actor)
            return try respond(
                Created(key: issued.key, apiKey: APIKeyResource(issued.record)), status: .created, context: context,
                request: request)
        }

        api.add(
            RouteDoc(
                .get, "/v1/api-keys", summary: "The tenant's API keys", tag: "api-keys",
                access: .permission(.apiKeysManage), response: keySchema, paginated: true)
        ) { request, context in
            let principal = try context.require(.apiKeysManage)
            let page = try PageRequest(query: request.uri.queryParameters)
            let keys = try principal.tenant.apiKeys().filter { ($0.id?.rawValue ?? 0) > (page.after ?? 0) }
            return Page(rows: Array(keys.prefix(page.limit + 1)), request: page, id: { $0.id?.rawValue ?? 0 }) {
                APIKeyResource($0)
            }
        }

        api.add(
            RouteDoc(
                .get, "/v1/api-keys/{id}", summary: "One API key", tag: "api-keys",
                access: .permission(.apiKeysManage), response: keySchema)
        ) { _, context in
            let principal = try context.require(.apiKeysManage)
            return APIKeyResource(try principal.tenant.apiKey(APIKeyID(try context.pathID("id"))))
        }

        api.add(
            RouteDoc(
                .post, "/v1/api-keys/{id}/revoke", summary: "Revoke an API key", tag: "api-keys",
                access: .permission(.apiKeysManage), response: keySchema)
        ) { _, context in
            let principal = try context.require(.apiKeysManage)
            return APIKeyResource(
                try principal.tenant.revokeAPIKey(APIKeyID(try context.pathID("id")), by: principal.actor))
        }
    }

    /// The permissions `names` stand for; every unknown name is reported as `scopes[i]`.
    static func scopes(_ names: [String]) throws(APIError) -> Set<Permission> {
        guard !names.isEmpty else { throw .invalid("scopes", "must name at least one scope") }
        var scopes = Set<Permission>()
        var problems: [InvalidParam] = []
        for (index, name) in names.enumerated() {
            if name == "admin" {
                scopes.formUnion(BuiltInRole.admin.permissions)
            } else if let permission = Self.permission(scope: name) {
                scopes.insert(permission)
            } else {
                problems.append(
                    InvalidParam(
                        name: "scopes[\(index)]",
                        reason: "unknown scope \(name); scopes are permissions such as content.read (or content:read)"))
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return scopes
    }

    /// The permission a scope names, in its canonical spelling (`content.read`, the raw value)
    /// or the colon one (`content:read`) that the product documentation uses.
    static func permission(scope name: String) -> Permission? {
        Permission(rawValue: name) ?? Permission(rawValue: name.replacingOccurrences(of: ":", with: "."))
    }

    /// Every scope name a key may be created with: both spellings of each permission, and `admin`.
    static let acceptedScopeNames: [String] =
        Permission.allCases.map(\.rawValue)
        + Permission.allCases.map { $0.rawValue.replacingOccurrences(of: ".", with: ":") }
        .filter { $0.contains(":") } + ["admin"]
}
