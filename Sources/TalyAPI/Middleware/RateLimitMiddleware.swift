import HTTPTypes
import Hummingbird
import TalyStore

/// Applies the per-address limit (before authentication, so floods of bad credentials are
/// limited too) or the per-credential one (after it), answering 429 with `Retry-After`, and
/// adding `RateLimit-Limit/Remaining/Reset` to every answer.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = TalyRequestContext

    enum Stage { case address, credential }

    let limiter: RateLimiter
    let settings: GatewaySettings
    let stage: Stage

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let key: String
        let limit: RateLimit
        switch stage {
        case .address:
            key = "address:" + context.clientAddress
            limit = settings.rateLimitPerAddress
        case .credential:
            guard let principal = context.principal else { return try await next(request, context) }
            switch principal.credential {
            case .apiKey(let record): key = "api_key:\(record.id?.rawValue ?? 0)"
            case .session(let session, _): key = "session:\(session.id?.rawValue ?? 0)"
            }
            limit = settings.rateLimitPerCredential
        }
        guard limit.isEnabled else { return try await next(request, context) }
        let decision = limiter.take(key, limit: limit)
        guard decision.allowed else {
            var headers = Self.headers(decision)
            headers[.retryAfter] = String(decision.retryAfterSeconds)
            let who = stage == .address ? "this client address" : "this credential"
            throw APIError(
                .rateLimited, "too many requests from \(who); retry in \(decision.retryAfterSeconds) s",
                headers: headers)
        }
        // The innermost stage's headers win; the other stage's are not even formatted.
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Store and framework errors become their problem here, as the gateway would make
            // them, so that a problem answer carries the headers too.
            guard var problem = APIError.from(error) else { throw error }
            if problem.headers[.rateLimitLimit] == nil { problem.headers.append(contentsOf: Self.headers(decision)) }
            throw problem
        }
        if response.headers[.rateLimitLimit] == nil { response.headers.append(contentsOf: Self.headers(decision)) }
        return response
    }

    /// `RateLimit-Limit`, `-Remaining` and `-Reset` of `decision`.
    static func headers(_ decision: RateLimiter.Decision) -> HTTPFields {
        [
            .rateLimitLimit: String(decision.limit), .rateLimitRemaining: String(decision.remaining),
            .rateLimitReset: String(decision.resetSeconds),
        ]
    }
}
