import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TalyIngest
import TalyStore
import UnixSignals

/// Runs the HTTP server until SIGTERM or SIGINT, then shuts down gracefully: in-flight requests
/// finish, then the process returns.
public enum TalyServer {
    /// Opens the resources, binds, serves and returns after a graceful shutdown. The worker role
    /// (`BackgroundWorkerService`) runs beside the server unless `worker` is nil. With `demo`, the
    /// demo tenant is loaded before binding when the store has no tenant, so the API never
    /// serves a half-loaded demo, and announced once the server listens.
    public static func run(
        configuration: TalyConfiguration,
        logger: Logger,
        worker: BackgroundWorker.Options? = BackgroundWorker.Options(),
        demo: DemoStartup? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws(ServeError) {
        let resources = try ServerResources(configuration: configuration)
        logger.info(
            "data opened",
            metadata: ["data_dir": "\(configuration.dataDirectory)", "database": "\(configuration.databasePath)"]
        )
        let background = try backgroundServices(resources: resources, worker: worker, logger: logger)
        var demoOutcome: DemoTenant.Outcome?
        if let demo { demoOutcome = try loadDemo(demo, store: resources.store, logger: logger) }
        let pendingDemo = PendingDemoAnnouncement(demoOutcome)
        let app = buildApplication(
            configuration: configuration,
            resources: resources,
            logger: logger,
            onServerRunning: { port in
                // The bound port matters when the configuration asked for port 0.
                logger.info("serving", metadata: ["url": "http://\(configuration.host):\(port)"])
                if let demo, let outcome = pendingDemo.take() {
                    demo.announce(outcome, "http://\(configuration.host):\(port)")
                }
                await onServerRunning(port)
            }
        )
        let services: [any Service] = [app] + background
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            if let demo, let outcome = pendingDemo.take() { demo.announce(outcome, nil) }
            throw describe(error, configuration: configuration)
        }
        logger.info("stopped")
    }

    /// Loads the demo tenant if the store has no tenant yet and logs what happened.
    static func loadDemo(_ demo: DemoStartup, store: any RecordStore, logger: Logger) throws(ServeError)
        -> DemoTenant.Outcome
    {
        let outcome: DemoTenant.Outcome
        do {
            outcome = try DemoTenant.loadIfFirstStart(store: store, fixtures: demo.fixturesDirectory)
        } catch {
            throw .demo(error)
        }
        switch outcome {
        case .created(let created):
            logger.info(
                "demo tenant loaded",
                metadata: [
                    "tenant": "\(DemoTenant.name)", "products": "\(created.products.accepted)",
                    "articles": "\(created.articles.accepted)", "published": "\(created.publishedArticles)",
                    "rejected": "\(created.products.rejected + created.articles.rejected)",
                ])
            if let reject = created.firstReject { logger.warning("demo fixture record rejected: \(reject)") }
        case .alreadyLoaded:
            logger.info("demo tenant already loaded", metadata: ["tenant": "\(DemoTenant.name)"])
        case .skipped(let tenants):
            logger.info("demo not loaded: the store already has tenants", metadata: ["tenants": "\(tenants)"])
        }
        return outcome
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

/// The demo outcome waiting to be announced: taken by whichever comes first, listening or failing
/// to listen, so it is announced exactly once.
private final class PendingDemoAnnouncement: Sendable {
    private let outcome: Mutex<DemoTenant.Outcome?>

    init(_ outcome: DemoTenant.Outcome?) { self.outcome = Mutex(outcome) }

    func take() -> DemoTenant.Outcome? { outcome.withLock { $0.take() } }
}
