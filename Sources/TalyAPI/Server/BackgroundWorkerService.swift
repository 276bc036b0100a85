import Logging
import ServiceLifecycle
import TalyIngest
import TalyStore
import UnixSignals

/// The worker role (index sync, scheduled publishing, outbox pruning) as a service of a
/// service group: it stops between batches on graceful shutdown.
public struct BackgroundWorkerService: Service {
    /// The role the service runs.
    public let worker: BackgroundWorker

    /// The role over `store`, with indexes under `dataDirectory`, logging to `logger`.
    public init(store: any RecordStore, dataDirectory: String, options: BackgroundWorker.Options, logger: Logger)
        throws(IndexSyncError)
    {
        worker = try BackgroundWorker(store: store, root: dataDirectory, options: options) { event in
            switch event {
            case .failed: logger.error("\(event)")
            case .syncStarted, .published, .pruned: logger.info("\(event)")
            }
        }
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { await worker.run() }
    }
}

extension TalyServer {
    /// The background services `run` adds beside the HTTP server: the worker role unless
    /// `worker` is nil (a deployment that runs `taly worker` apart).
    static func backgroundServices(
        resources: ServerResources, worker: BackgroundWorker.Options?, logger: Logger
    ) throws(ServeError) -> [any Service] {
        guard let worker else { return [] }
        do {
            return [
                try BackgroundWorkerService(
                    store: resources.store, dataDirectory: resources.dataDirectory.path, options: worker,
                    logger: logger)
            ]
        } catch {
            throw .indexSync(error)
        }
    }

    /// `taly worker`: runs the worker role alone on the data directory until SIGTERM or SIGINT.
    public static func runWorker(
        configuration: TalyConfiguration, options: BackgroundWorker.Options, logger: Logger
    ) async throws(ServeError) {
        let resources = try ServerResources(configuration: configuration)
        logger.info("worker started", metadata: ["data_dir": "\(configuration.dataDirectory)"])
        let services = try backgroundServices(resources: resources, worker: options, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw .workerStopped(reason: String(describing: error))
        }
        logger.info("worker stopped")
    }
}
