import Foundation
import Hummingbird
import NIOCore
import Synchronization
import TalyStore

/// The request context of every Taly route: the request id, the client's address and, once the
/// auth middleware has run, the authenticated principal.
public struct TalyRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection (nil in `.router` tests).
    public let remoteAddress: SocketAddress?
    /// The connection, for the events a request sends to its handlers (`ExpectContinue`).
    let channel: any Channel
    /// The id of this request: the caller's `X-Request-ID` when acceptable, else generated.
    public internal(set) var requestID: String = ""
    /// The client's address as rate limits and logs see it.
    public internal(set) var clientAddress: String = "unknown"
    /// Who is calling; nil when the request carried no credential.
    public internal(set) var principal: Principal?
    /// The gateway's limits, set by the gateway middleware.
    public internal(set) var limits: GatewaySettings = .defaults
    /// When the route's deadline passes (`RequestTimeoutMiddleware`); nil outside that middleware.
    /// Searches stop there (`SearchRequest.deadline`), so the 504 leaves with the thread free.
    public internal(set) var deadline: ContinuousClock.Instant?
    /// Who called, for the access log written by the outer gateway middleware.
    let caller = CallerBox()

    /// A context for one request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    /// Bodies over the limit are refused with 413 when decoded.
    public var maxUploadSize: Int { limits.maxBodyBytes }

    /// Snake-case keys come from each type's `CodingKeys`; sorted keys keep answers diffable.
    public var responseEncoder: JSONEncoder { Self.responseEncoder }

    /// One encoder for every answer: its options never change after this, and encoding does not
    /// mutate it, so sharing it saves building one per request.
    static let responseEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The authenticated principal; 401 when the request carried no credential.
    public func authenticated() throws(APIError) -> Principal {
        guard let principal else { throw .unauthenticated("this route needs a bearer session token or API key") }
        return principal
    }

    /// The principal, after checking it holds `permission`: 401 without a credential, 403
    /// without the permission. Every protected route calls this (or `authenticated()`) first.
    public func require(_ permission: Permission) throws(APIError) -> Principal {
        let principal = try authenticated()
        guard principal.permissions.contains(permission) else {
            throw APIError(.forbidden, "this needs the \(permission.rawValue) permission")
        }
        return principal
    }

    /// The integer id in path parameter `name`; 404 when it is not one (no such resource).
    public func pathID(_ name: String) throws(APIError) -> Int64 {
        guard let text = parameters.get(name), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, "no \(name) \(parameters.get(name) ?? "")")
        }
        return id
    }
}

/// Limits and policies of the gateway, from `TalyConfiguration`.
public struct GatewaySettings: Sendable, Equatable {
    /// The largest request body accepted, in bytes (413 above).
    public var maxBodyBytes: Int
    /// The largest body of a bulk route (`POST /v1/ingest`), in bytes: bulk bodies are streamed
    /// through the pipeline, never held whole, so they may be much larger than JSON bodies.
    public var maxIngestBodyBytes: Int
    /// Origins allowed to call from browsers (CORS); empty disables CORS, `*` allows any.
    public var corsAllowedOrigins: [String]
    /// Whether to take the client address from `X-Forwarded-For` (behind a trusted proxy only).
    public var trustForwardedFor: Bool
    /// Session idle timeout, seconds.
    public var sessionIdleTimeout: TimeInterval
    /// Session absolute lifetime, seconds.
    public var sessionAbsoluteTimeout: TimeInterval
    /// Failed logins allowed per account per hour before 429.
    public var loginFailuresPerAccountPerHour: Int
    /// Failed logins allowed per client address per hour before 429.
    public var loginFailuresPerAddressPerHour: Int
    /// Token bucket per API key or session: burst size and refill per second; 0 disables.
    public var rateLimitPerCredential: RateLimit
    /// Token bucket per client address.
    public var rateLimitPerAddress: RateLimit
    /// How long a request may take before it is answered 504 `timeout` and cancelled.
    public var requestTimeout: Duration
    /// The same for bulk ingest, whose body alone may take minutes to index.
    public var ingestTimeout: Duration

    /// 1 MiB bodies (100 MiB for bulk ingest, as Elasticsearch's and Meilisearch's defaults), no
    /// CORS, 30 min idle / 12 h sessions, 100 login failures per account, 30 s per request (1 h
    /// for bulk ingest, which streams up to 100 MiB through the indexer).
    public static let defaults = GatewaySettings(
        maxBodyBytes: 1 << 20, corsAllowedOrigins: [], trustForwardedFor: false,
        sessionIdleTimeout: 30 * 60, sessionAbsoluteTimeout: 12 * 3600,
        loginFailuresPerAccountPerHour: 100, loginFailuresPerAddressPerHour: 300,
        rateLimitPerCredential: RateLimit(burst: 200, perSecond: 50),
        rateLimitPerAddress: RateLimit(burst: 100, perSecond: 20), maxIngestBodyBytes: 100 << 20,
        requestTimeout: .seconds(30), ingestTimeout: .seconds(3600))

    /// Every value given.
    public init(
        maxBodyBytes: Int, corsAllowedOrigins: [String], trustForwardedFor: Bool,
        sessionIdleTimeout: TimeInterval, sessionAbsoluteTimeout: TimeInterval,
        loginFailuresPerAccountPerHour: Int, loginFailuresPerAddressPerHour: Int,
        rateLimitPerCredential: RateLimit, rateLimitPerAddress: RateLimit, maxIngestBodyBytes: Int,
        requestTimeout: Duration = .seconds(30), ingestTimeout: Duration = .seconds(3600)
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxIngestBodyBytes = maxIngestBodyBytes
        self.corsAllowedOrigins = corsAllowedOrigins
        self.trustForwardedFor = trustForwardedFor
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionAbsoluteTimeout = sessionAbsoluteTimeout
        self.loginFailuresPerAccountPerHour = loginFailuresPerAccountPerHour
        self.loginFailuresPerAddressPerHour = loginFailuresPerAddressPerHour
        self.rateLimitPerCredential = rateLimitPerCredential
        self.rateLimitPerAddress = rateLimitPerAddress
        self.requestTimeout = requestTimeout
        self.ingestTimeout = ingestTimeout
    }
}

extension GatewaySettings {
    /// The body limit of the route `endpoint` (the router's path pattern).
    func maxBodyBytes(endpoint: String?) -> Int {
        endpoint == IngestController.path ? maxIngestBodyBytes : maxBodyBytes
    }

    /// The deadline of the route `endpoint`.
    func timeout(endpoint: String?) -> Duration {
        endpoint == IngestController.path ? ingestTimeout : requestTimeout
    }
}

/// A token bucket's shape: `burst` requests at once, refilled at `perSecond`.
public struct RateLimit: Sendable, Equatable {
    /// The bucket's capacity.
    public var burst: Int
    /// Tokens added per second.
    public var perSecond: Double

    /// A bucket shape; a zero burst means no limit.
    public init(burst: Int, perSecond: Double) {
        self.burst = burst
        self.perSecond = perSecond
    }

    /// Whether this limit is enforced.
    public var isEnabled: Bool { burst > 0 && perSecond > 0 }
}

/// The tenant and actor of a request, for its access-log line.
struct CallerFacts: Sendable {
    let tenantID: TenantID
    let actor: Actor
}

/// Middleware further in gets a copy of the context; this box is shared by all the copies.
final class CallerBox: Sendable {
    private let stored = Mutex<CallerFacts?>(nil)

    var value: CallerFacts? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
