import HTTPTypes
import Hummingbird

/// Cross-origin access for browsers, for the origins the configuration lists (`*` for any).
///
/// Answers preflight `OPTIONS` requests itself (they match no route), and on other requests
/// from an allowed origin adds the headers that let the page read the answer. Credentials are
/// bearer tokens in a header, never cookies, so `Access-Control-Allow-Credentials` is not sent.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = TalyRequestContext

    let allowedOrigins: [String]

    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, If-Match, X-Request-ID"
    static let exposedHeaders =
        "ETag, X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = allowedOrigins.contains("*") || allowedOrigins.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else { throw APIError(.forbidden, "origin \(origin) may not call this API") }
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .accessControlAllowMethods: Self.allowedMethods,
                    .accessControlAllowHeaders: Self.allowedHeaders, .accessControlMaxAge: "600", .vary: "Origin",
                ])
        }
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
            response.headers[.vary] = "Origin"
        }
        return response
    }
}
