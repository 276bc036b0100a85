import Hummingbird
import TalyStore

/// `/healthz` (the process answers) and `/readyz` (it can do its work: database opened and
/// migrated, data directory writable), for load balancers and Kubernetes probes.
struct HealthController: Sendable {
    let store: any RecordStore
    let dataDirectory: DataDirectory

    func register(_ api: RouteRegistry) {
        let status = JSONSchema.object([("status", .string()), ("checks", .freeObject)], required: ["status"])
        api.add(
            RouteDoc(.get, "/healthz", summary: "The process answers", tag: "health", access: .open, response: status)
        ) { _, _ in HealthStatus(status: "ok", checks: nil) }
        api.add(
            RouteDoc(
                .get, "/readyz", summary: "Database migrated and data directory writable", tag: "health",
                access: .open, response: status)
        ) { _, _ in try readiness() }
    }

    /// Runs every check, so one answer names every problem at once.
    func readiness() throws -> HealthStatus {
        var problems: [String] = []
        do { try store.checkReadiness() } catch { problems.append(error.description) }
        do { try dataDirectory.checkWritable() } catch { problems.append(error.description) }
        guard problems.isEmpty else { throw APIError.unavailable(problems.joined(separator: "; ")) }
        return HealthStatus(status: "ready", checks: ["database": "migrated", "data_directory": "writable"])
    }
}

/// The body of the health endpoints.
struct HealthStatus: ResponseEncodable {
    let status: String
    let checks: [String: String]?
}
