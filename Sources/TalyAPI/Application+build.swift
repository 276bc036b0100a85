import Hummingbird
import Logging
import TalyIngest
import TalyStore

/// The opened resources a running server works on, created once at start-up.
public struct ServerResources: Sendable {
    /// The prepared data directory.
    public let dataDirectory: DataDirectory
    /// The record store inside it.
    public let store: any RecordStore
    /// The gateway's limits and policies.
    public let gateway: GatewaySettings
    /// Request metrics and the hooks other parts report to.
    public let metrics = MetricsRegistry()
    /// Token buckets per credential and per client address.
    public let rateLimiter = RateLimiter()
    /// Failed-login counts per account and per address.
    public let loginThrottle: LoginThrottle
    /// The committed indexes of every tenant's collections, for the search routes.
    public let searchCollections: SearchCollections

    /// Prepares the data directory and opens (and migrates) the database inside it.
    public init(configuration: TalyConfiguration) throws(ServeError) {
        do {
            dataDirectory = try DataDirectory(preparing: configuration.dataDirectory)
        } catch {
            throw .dataDirectory(error)
        }
        do {
            store = try Store(path: configuration.databasePath)
        } catch {
            throw .store(error)
        }
        gateway = configuration.gateway
        searchCollections = SearchCollections(root: dataDirectory.path)
        loginThrottle = LoginThrottle(
            perAccount: configuration.gateway.loginFailuresPerAccountPerHour,
            perAddress: configuration.gateway.loginFailuresPerAddressPerHour)
        metrics.reportIndexesAndOutbox(store: store, collections: searchCollections)
    }
}

/// Builds the router with every route; tests call this with `.router` to skip the network.
///
/// Middleware order: the gateway (request id, errors as problem+json, security headers, access
/// log, metrics) wraps everything; then the request deadline (so a timeout is logged and
/// counted like any answer), CORS, the per-address rate limit, authentication and the
/// per-credential rate limit. Routes are added through a `RouteRegistry`, which documents each
/// in `/openapi.json`.
public func buildRouter(resources: ServerResources) -> Router<TalyRequestContext> {
    let router = Router(context: TalyRequestContext.self)
    // Filled by the registry below as routes are added, before the first request.
    let placements = RoutePlacements()
    router.add(middleware: GatewayMiddleware(settings: resources.gateway, metrics: resources.metrics))
    router.add(middleware: RequestTimeoutMiddleware(settings: resources.gateway, placements: placements))
    if !resources.gateway.corsAllowedOrigins.isEmpty {
        router.add(middleware: CORSPolicyMiddleware(allowedOrigins: resources.gateway.corsAllowedOrigins))
    }
    router.add(
        middleware: RateLimitMiddleware(limiter: resources.rateLimiter, settings: resources.gateway, stage: .address))
    router.add(middleware: AuthMiddleware(store: resources.store))
    router.add(
        middleware: RateLimitMiddleware(limiter: resources.rateLimiter, settings: resources.gateway, stage: .credential)
    )
    let api = RouteRegistry(router: router, placements: placements)
    HealthController(store: resources.store, dataDirectory: resources.dataDirectory).register(api)
    GatewayController(metrics: resources.metrics).registerMetrics(api)
    AuthController(store: resources.store, settings: resources.gateway, throttle: resources.loginThrottle).register(api)
    UsersController().register(api)
    APIKeysController().register(api)
    ContentTypesController().register(api)
    ContentItemsController().register(api)
    CatalogController().register(api)
    IngestController().register(api)
    SearchController(collections: resources.searchCollections, metrics: resources.metrics).register(api)
    GatewayController.registerOpenAPI(api)
    return router
}

/// Builds the whole application: router, server address and logging. The HTTP/1 server answers
/// `Expect: 100-continue` (`ExpectContinueHandler`), which neither NIO nor Hummingbird does, and
/// runs each connection's requests on its event loop (`EventLoopBoundHTTP1Channel`).
public func buildApplication(
    configuration: TalyConfiguration,
    resources: ServerResources,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(resources: resources),
        server: .eventLoopBoundHTTP1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "taly"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
