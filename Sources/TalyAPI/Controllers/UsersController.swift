import Foundation
import Hummingbird
import TalyStore

/// Users of the caller's tenant: create, list, read, update, disable, roles.
///
/// Everyone may read and edit their own profile; other users need `users.read` /
/// `users.manage`, so a customer sees only their own data.
struct UsersController: Sendable {
    struct CreateBody: Decodable, Sendable {
        let email: String
        let displayName: String
        let password: String?
        let roles: [String]?

        enum CodingKeys: String, CodingKey {
            case email, password, roles
            case displayName = "display_name"
        }
    }

    struct UpdateBody: Decodable, Sendable {
        let email: String?
        let displayName: String?

        enum CodingKeys: String, CodingKey {
            case email
            case displayName = "display_name"
        }
    }

    struct RolesBody: Decodable, Sendable {
        let add: [String]?
        let remove: [String]?
    }

    struct Created: Encodable, Sendable {
        let user: UserResource
        /// Set when the request gave no password: shown once, for the invitation.
        let initialPassword: String?

        enum CodingKeys: String, CodingKey {
            case user
            case initialPassword = "initial_password"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(user, forKey: .user)
            try container.encode(initialPassword, forKey: .initialPassword)
        }
    }

    struct RoleResource: Encodable, Sendable {
        let id: Int64
        let name: String
        let builtIn: Bool
        let permissions: [String]

        enum CodingKeys: String, CodingKey {
            case id, name, permissions
            case builtIn = "built_in"
        }
    }

    func register(_ api: RouteRegistry) {
        let user = UserResource.schema
        api.add(
            RouteDoc(
                .post, "/v1/users", summary: "Create (invite) a user", tag: "users", access: .permission(.usersManage),
                requestBody: .object(
                    [
                        ("email", .string(format: "email")), ("display_name", .string()),
                        ("password", .string()), ("roles", .array(.string())),
                    ], required: ["email", "display_name"]),
                successStatus: 201,
                response: .object(
                    [("user", user), ("initial_password", .nullable(.string()))],
                    required: ["user", "initial_password"]))
        ) { request, context in try await create(request, context: context) }

        api.add(
            RouteDoc(
                .get, "/v1/users", summary: "The tenant's users", tag: "users", access: .permission(.usersRead),
                response: user, paginated: true)
        ) { request, context in
            let principal = try context.require(.usersRead)
            let page = try PageRequest(query: request.uri.queryParameters)
            let users = try principal.tenant.users(after: page.after.map(UserID.init), limit: page.limit + 1)
            return try Page(rows: users, request: page, id: { $0.id?.rawValue ?? 0 }) { row in
                UserResource(row, roles: try principal.tenant.roles(of: row.id ?? UserID(0)))
            }
        }

        api.add(
            RouteDoc(
                .get, "/v1/auth/me", summary: "The signed-in user", tag: "auth", access: .authenticated, response: user)
        ) { request, context in
            let principal = try context.authenticated()
            let id = try AuthController.signedInUser(principal)
            return try show(id, principal: principal, request: request, context: context)
        }

        api.add(
            RouteDoc(.get, "/v1/users/{id}", summary: "One user", tag: "users", access: .authenticated, response: user)
        ) { request, context in
            let principal = try context.authenticated()
            let id = UserID(try context.pathID("id"))
            guard principal.mayRead(user: id) else {
                throw APIError(.forbidden, "reading another user needs the users.read permission")
            }
            return try show(id, principal: principal, request: request, context: context)
        }

        api.add(
            RouteDoc(
                .patch, "/v1/users/{id}", summary: "Change a user's display name or email", tag: "users",
                access: .authenticated,
                requestBody: .object([("email", .string(format: "email")), ("display_name", .string())]),
                response: user, requiresIfMatch: true)
        ) { request, context in
            let principal = try context.authenticated()
            let id = UserID(try context.pathID("id"))
            guard principal.mayManage(user: id) else {
                throw APIError(.forbidden, "changing another user needs the users.manage permission")
            }
            let current = try principal.tenant.user(id)
            try ETag.checkIfMatch(request, currentVersion: current.version)
            let body = try await request.decodeJSON(as: UpdateBody.self, context: context)
            let updated = try principal.tenant.updateProfile(
                id, expectedVersion: current.version, displayName: body.displayName, email: body.email,
                by: principal.actor)
            return try respond(
                UserResource(updated, roles: try principal.tenant.roles(of: id)), etag: updated.version,
                context: context, request: request)
        }

        for (action, summary) in [
            ("disable", "Disable a user and end their sessions"), ("enable", "Let a user sign in again"),
        ] {
            api.add(
                RouteDoc(
                    .post, "/v1/users/{id}/\(action)", summary: summary, tag: "users",
                    access: .permission(.usersManage), response: user)
            ) { request, context in
                let principal = try context.require(.usersManage)
                let id = UserID(try context.pathID("id"))
                let changed =
                    action == "disable"
                    ? try principal.tenant.disableUser(id, by: principal.actor)
                    : try principal.tenant.enableUser(id, by: principal.actor)
                return try respond(
                    UserResource(changed, roles: try principal.tenant.roles(of: id)), etag: changed.version,
                    context: context, request: request)
            }
        }

        api.add(
            RouteDoc(
                .post, "/v1/users/{id}/roles", summary: "Grant and take roles", tag: "users",
                access: .permission(.usersManage),
                requestBody: .object([("add", .array(.string())), ("remove", .array(.string()))]), response: user)
        ) { request, context in try await changeRoles(request, context: context) }

        api.add(
            RouteDoc(
                .get, "/v1/roles", summary: "The tenant's roles and their permissions", tag: "users",
                access: .permission(.usersRead),
                response: .object(
                    [("id", .integer), ("name", .string()), ("built_in", .boolean), ("permissions", .array(.string()))]
                ),
                paginated: true)
        ) { request, context in
            let principal = try context.require(.usersRead)
            let page = try PageRequest(query: request.uri.queryParameters)
            let roles = try principal.tenant.roles().filter { ($0.id?.rawValue ?? 0) > (page.after ?? 0) }
            return Page(rows: Array(roles.prefix(page.limit + 1)), request: page, id: { $0.id?.rawValue ?? 0 }) {
                RoleResource(
                    id: $0.id?.rawValue ?? 0, name: $0.name, builtIn: $0.isBuiltIn,
                    permissions: $0.permissions.sorted().map(\.rawValue))
            }
        }
    }

    func show(_ id: UserID, principal: Principal, request: Request, context: TalyRequestContext) throws -> Response {
        let found = try principal.tenant.user(id)
        return try respond(
            UserResource(found, roles: try principal.tenant.roles(of: id)), etag: found.version, context: context,
            request: request)
    }

    func create(_ request: Request, context: TalyRequestContext) async throws -> Response {
        let principal = try context.require(.usersManage)
        let body = try await request.decodeJSON(as: CreateBody.self, context: context)
        let generated = body.password == nil ? UserRecord.generatePassword() : nil
        let password = body.password ?? generated ?? ""
        var problems = UserRecord.newUserProblems(email: body.email, displayName: body.displayName, password: password)
            .compactMap { APIError.from($0)?.invalidParams }.flatMap { $0 }
        let (roleIDs, roleProblems) = try resolveRoles(body.roles ?? [], field: "roles", principal: principal)
        problems += roleProblems
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let tenant = principal.tenant
        let actor = principal.actor
        let created = try await runBlocking {
            try tenant.createUser(
                email: body.email, displayName: body.displayName, password: password, roles: roleIDs, by: actor)
        }
        let resource = UserResource(created, roles: try tenant.roles(of: created.id ?? UserID(0)))
        return try respond(
            Created(user: resource, initialPassword: generated), status: .created, etag: created.version,
            context: context, request: request)
    }

    func changeRoles(_ request: Request, context: TalyRequestContext) async throws -> Response {
        let principal = try context.require(.usersManage)
        let id = UserID(try context.pathID("id"))
        _ = try principal.tenant.user(id)
        let body = try await request.decodeJSON(as: RolesBody.self, context: context)
        let (added, addProblems) = try resolveRoles(body.add ?? [], field: "add", principal: principal)
        let (removed, removeProblems) = try resolveRoles(body.remove ?? [], field: "remove", principal: principal)
        guard addProblems.isEmpty, removeProblems.isEmpty else {
            throw APIError.validation(addProblems + removeProblems)
        }
        for role in added { try principal.tenant.assignRole(role, to: id, by: principal.actor) }
        for role in removed { try principal.tenant.removeRole(role, from: id, by: principal.actor) }
        let user = try principal.tenant.user(id)
        return try respond(
            UserResource(user, roles: try principal.tenant.roles(of: id)), etag: user.version, context: context,
            request: request)
    }

    /// Role ids for `names`; a role that does not exist, or that grants a permission the caller
    /// lacks (no one hands out more than they hold), is a problem named `field[i]`.
    func resolveRoles(_ names: [String], field: String, principal: Principal) throws -> ([RoleID], [InvalidParam]) {
        var ids: [RoleID] = []
        var problems: [InvalidParam] = []
        for (index, name) in names.enumerated() {
            guard let role = try principal.tenant.role(named: name), let id = role.id else {
                problems.append(InvalidParam(name: "\(field)[\(index)]", reason: "no role named \(name)"))
                continue
            }
            guard role.permissions.isSubset(of: principal.permissions) else {
                throw APIError(.forbidden, "role \(name) grants permissions the caller does not hold")
            }
            ids.append(id)
        }
        return (ids, problems)
    }
}
