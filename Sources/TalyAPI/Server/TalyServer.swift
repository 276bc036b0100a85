import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TalyIngest
import UnixSignals

/// Runs the HTTP server until SIGTERM or SIGINT, then shuts down gracefully: in-flight requests
/// finish, then the process returns.
public enum TalyServer {
    /// Opens the resources, binds, serves and returns after a graceful shutdown. The worker role
    /// (`BackgroundWorkerService`) runs beside the server unless `worker` is nil.
    public static func run(
        configuration: TalyConfiguration,
        logger: Logger,
        worker: BackgroundWorker.Options? = BackgroundWorker.Options(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws(ServeError) {
        let resources = try ServerResources(configuration: configuration)
        logger.info(
            "data opened",
            metadata: ["data_dir": "\(configuration.dataDirectory)", "database": "\(configuration.databasePath)"]
        )
        let app = buildApplication(
            configuration: configuration,
            resources: resources,
            logger: logger,
            onServerRunning: { port in
                // The bound port matters when the configuration asked for port 0.
                logger.info("serving", metadata: ["url": "http://\(configuration.host):\(port)"])
                await onServerRunning(port)
            }
        )
        var services: [any Service] = [app]
        services += try backgroundServices(resources: resources, worker: worker, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            throw describe(error, configuration: configuration)
        }
        logger.info("stopped")
    }

    /// Turns a failure to serve into a one-line cause; NIO reports a busy port as an `IOError`.
    static func describe(_ error: any Error, configuration: TalyConfiguration) -> ServeError {
        let reason: String
        if let io = error as? IOError {
            reason = String(cString: strerror(io.errnoCode))
        } else {
            reason = String(describing: error)
        }
        return .cannotListen(host: configuration.host, port: configuration.port, reason: reason)
    }
}
