import Hummingbird
import Logging
import TalyStore

/// The request context of every Taly route.
public typealias TalyRequestContext = BasicRequestContext

/// The opened resources a running server works on, created once at start-up.
public struct ServerResources: Sendable {
    /// The prepared data directory.
    public let dataDirectory: DataDirectory
    /// The record store inside it.
    public let store: Store

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
    }
}

/// Builds the router with every route; tests call this with `.router` to skip the network.
public func buildRouter(resources: ServerResources) -> Router<TalyRequestContext> {
    let router = Router(context: TalyRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    HealthController(store: resources.store, dataDirectory: resources.dataDirectory).addRoutes(to: router)
    return router
}

/// Builds the whole application: router, server address and logging.
public func buildApplication(
    configuration: TalyConfiguration,
    resources: ServerResources,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(resources: resources),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "taly"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
