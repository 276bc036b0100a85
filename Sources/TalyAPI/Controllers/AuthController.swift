import Foundation
import Hummingbird
import TalyStore

/// Signing in and out, one's own sessions, and changing one's password.
struct AuthController: Sendable {
    let store: any RecordStore
    let settings: GatewaySettings
    let throttle: LoginThrottle

    struct LoginBody: Decodable, Sendable {
        let tenant: String
        let email: String
        let password: String
    }

    struct PasswordBody: Decodable, Sendable {
        let currentPassword: String
        let newPassword: String

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    struct LoginAnswer: Encodable, Sendable {
        let token: String
        let tokenType = "Bearer"
        let session: SessionResource
        let user: UserResource

        enum CodingKeys: String, CodingKey {
            case token, session, user
            case tokenType = "token_type"
        }
    }

    /// The same answer for an unknown tenant, an unknown email and a wrong password.
    static let loginRefused = "invalid tenant, email or password"

    func register(_ api: RouteRegistry) {
        let loginAnswer = JSONSchema.object(
            [
                ("token", .string()), ("token_type", .string(values: ["Bearer"])),
                ("session", SessionResource.schema), ("user", UserResource.schema),
            ], required: ["token", "token_type", "session", "user"])
        api.add(
            RouteDoc(
                .post, "/v1/auth/login", summary: "Sign in: a bearer session token", tag: "auth", access: .open,
                requestBody: .object(
                    [("tenant", .string()), ("email", .string()), ("password", .string())],
                    required: ["tenant", "email", "password"]),
                successStatus: 201, response: loginAnswer)
        ) { request, context in try await login(request, context: context) }

        api.add(
            RouteDoc(
                .post, "/v1/auth/logout", summary: "End the current session", tag: "auth", access: .authenticated,
                successStatus: 204)
        ) { _, context in
            let principal = try context.authenticated()
            guard let sessionID = principal.sessionID else {
                throw APIError(.badRequest, "an API key cannot sign out; revoke it instead")
            }
            _ = try principal.tenant.revokeSession(sessionID, by: principal.actor)
            return Response(status: .noContent)
        }

        api.add(
            RouteDoc(
                .get, "/v1/auth/sessions", summary: "The caller's own sessions, newest first", tag: "auth",
                access: .authenticated, response: SessionResource.schema, paginated: true)
        ) { request, context in
            let principal = try context.authenticated()
            let userID = try Self.signedInUser(principal)
            let page = try PageRequest(query: request.uri.queryParameters)
            let sessions = try principal.tenant.sessions(of: userID)
                .filter { session in page.after.map { (session.id?.rawValue ?? 0) < $0 } ?? true }
            return Page(rows: Array(sessions.prefix(page.limit + 1)), request: page, id: { $0.id?.rawValue ?? 0 }) {
                SessionResource($0, current: principal.sessionID)
            }
        }

        api.add(
            RouteDoc(
                .post, "/v1/auth/sessions/{id}/revoke", summary: "End one of the caller's sessions", tag: "auth",
                access: .authenticated, response: SessionResource.schema)
        ) { _, context in
            let principal = try context.authenticated()
            let userID = try Self.signedInUser(principal)
            let id = SessionID(try context.pathID("id"))
            // Another user's session is "not found": its existence is none of the caller's business.
            guard try principal.tenant.sessions(of: userID).contains(where: { $0.id == id }) else {
                throw APIError(.notFound, "no session \(id)")
            }
            return SessionResource(
                try principal.tenant.revokeSession(id, by: principal.actor), current: principal.sessionID)
        }

        api.add(
            RouteDoc(
                .post, "/v1/auth/password", summary: "Change one's password; ends the other sessions", tag: "auth",
                access: .authenticated,
                requestBody: .object(
                    [("current_password", .string()), ("new_password", .string())],
                    required: ["current_password", "new_password"]),
                successStatus: 204)
        ) { request, context in try await changePassword(request, context: context) }
    }

    func login(_ request: Request, context: TalyRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: LoginBody.self, context: context)
        let account = body.tenant + "\u{0}" + body.email.trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = throttle.retryAfter(account: account, address: context.clientAddress) {
            throw APIError(
                .rateLimited, "too many failed sign-ins; retry in \(wait) s", headers: [.retryAfter: String(wait)])
        }
        let store = store
        let signedIn: (any TenantStore, UserRecord)
        do {
            signedIn = try await runBlocking {
                try store.signIn(tenantName: body.tenant, email: body.email, password: body.password)
            }
        } catch StoreError.authenticationFailed(let failure) where failure == .invalidCredentials {
            throttle.recordFailure(account: account, address: context.clientAddress)
            throw APIError.unauthenticated(Self.loginRefused)
        }
        let (tenant, user) = signedIn
        guard let userID = user.id else { throw APIError(.internalError, "a stored user has an id") }
        let issued = try tenant.createSession(
            for: userID, idleTimeout: settings.sessionIdleTimeout, absoluteTimeout: settings.sessionAbsoluteTimeout)
        let answer = LoginAnswer(
            token: issued.token, session: SessionResource(issued.record, current: issued.record.id),
            user: UserResource(user, roles: try tenant.roles(of: userID)))
        return try respond(answer, status: .created, context: context, request: request)
    }

    func changePassword(_ request: Request, context: TalyRequestContext) async throws -> Response {
        let principal = try context.authenticated()
        let userID = try Self.signedInUser(principal)
        let body = try await request.decodeJSON(as: PasswordBody.self, context: context)
        let tenant = principal.tenant
        let user = try tenant.user(userID)
        let account = String(tenant.tenantID.rawValue) + "\u{0}" + user.email.lowercased()
        if let wait = throttle.retryAfter(account: account, address: context.clientAddress) {
            throw APIError(
                .rateLimited, "too many failed attempts; retry in \(wait) s", headers: [.retryAfter: String(wait)])
        }
        do {
            _ = try await runBlocking { try tenant.authenticate(email: user.email, password: body.currentPassword) }
        } catch StoreError.authenticationFailed {
            throttle.recordFailure(account: account, address: context.clientAddress)
            throw APIError.invalid("current_password", "is not the current password")
        }
        let actor = principal.actor
        let kept = principal.sessionID
        _ = try await runBlocking {
            try tenant.changePassword(userID, newPassword: body.newPassword, keeping: kept, by: actor)
        }
        return Response(status: .noContent)
    }

    /// The signed-in user; routes about one's own sessions make no sense for an API key.
    static func signedInUser(_ principal: Principal) throws(APIError) -> UserID {
        guard let userID = principal.userID else {
            throw APIError(.forbidden, "this route is for a signed-in user, not an API key")
        }
        return userID
    }
}
