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
        guard let token = Self.bearerToken(header) else {
            throw APIError.unauthenticated("the Authorization header must be \"Bearer <token or API key>\"")
        }
        // Parsed and hashed once: the credential's prefix names its tenant, and the same lookup
        // checks the secret, revocation and expiry.
        let (tenant, credential) = try store.authenticate(bearer: token)
        switch credential {
        case .session(let found):
            return Principal(
                tenant: tenant, credential: .session(found.session, found.user), permissions: found.permissions)
        case .apiKey(let key):
            return Principal(tenant: tenant, credential: .apiKey(key), permissions: Set(key.scopes))
        }
    }

    /// The credential of `Bearer <credential>` (the scheme in any case), trimmed of spaces and
    /// tabs; nil for another scheme or none. Byte by byte: it runs on every request with a
    /// credential, where `Character` counting, `lowercased()` and Foundation's trimming showed
    /// in profiles.
    static func bearerToken(_ header: String) -> String? {
        let utf8 = header.utf8
        let scheme = "bearer ".utf8
        // `| 0x20` folds a byte onto a lowercase letter only from that letter or its capital.
        guard utf8.count > scheme.count,
            zip(utf8.prefix(scheme.count), scheme).allSatisfy({ $1 == 0x20 ? $0 == 0x20 : $0 | 0x20 == $1 })
        else { return nil }
        var token = utf8.dropFirst(scheme.count)
        while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
        while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
        guard token.first.map({ $0 < 0x80 }) ?? true, token.last.map({ $0 < 0x80 }) ?? true else {
            // Unicode spaces around the credential: as rare as they are invalid, trimmed as before.
            return String(header.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces)
        }
        return String(Substring(token))
    }
}
