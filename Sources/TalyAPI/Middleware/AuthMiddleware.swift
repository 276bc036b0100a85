import Foundation
import Hummingbird
import TalyStore

/// Establishes the principal from `Authorization: Bearer <session token or API key>`.
///
/// A request without the header goes on anonymous (routes that need a principal answer 401
/// through `TalyRequestContext.require`); a header that does not authenticate is 401 at once,
/// so a bad credential is never silently treated as anonymous. The tenant is the credential's.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = TalyRequestContext

    let store: any RecordStore

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        let principal = try authenticate(header: header)
        context.principal = principal
        context.caller.value = CallerFacts(tenantID: principal.tenant.tenantID, actor: principal.actor)
        return try await next(request, context)
    }

    func authenticate(header: String) throws -> Principal {
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else {
            throw APIError.unauthenticated("the Authorization header must be \"Bearer <token or API key>\"")
        }
        let token = header.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        let (tenant, kind) = try store.tenantOfCredential(token)
        switch kind {
        case .session:
            let found = try tenant.authenticateSession(token)
            return Principal(
                tenant: tenant, credential: .session(found.session, found.user), permissions: found.permissions)
        case .apiKey:
            let key = try tenant.authenticateAPIKey(token)
            return Principal(tenant: tenant, credential: .apiKey(key), permissions: Set(key.scopes))
        }
    }
}
