import TalyIngest
import TalyStore

/// Why `taly serve` could not start or stopped; each case renders as one line naming the problem.
public enum ServeError: Error, CustomStringConvertible {
    /// The configuration could not be resolved.
    case configuration(ConfigurationError)
    /// The data directory is unusable.
    case dataDirectory(DataDirectoryError)
    /// The database could not be opened or migrated.
    case store(StoreError)
    /// The listening socket could not be bound.
    case cannotListen(host: String, port: Int, reason: String)
    /// The worker role could not start.
    case indexSync(IndexSyncError)
    /// `taly worker` stopped on an error rather than a signal.
    case workerStopped(reason: String)
    /// `--demo` could not load the demo tenant.
    case demo(DemoTenantError)

    public var description: String {
        switch self {
        case .configuration(let error): error.description
        case .dataDirectory(let error): error.description
        case .store(let error): error.description
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .indexSync(let error): error.description
        case .workerStopped(let reason): "the worker stopped: \(reason)"
        case .demo(let error): error.description
        }
    }
}
