import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("health endpoints")
struct HealthControllerTests {
    static func application(dataDirectory: String) throws -> some ApplicationProtocol {
        var configuration = TalyConfiguration.defaults
        configuration.dataDirectory = dataDirectory
        configuration.port = 0
        let resources = try ServerResources(configuration: configuration)
        return buildApplication(configuration: configuration, resources: resources, logger: Logger(label: "test"))
    }

    @Test("/healthz answers 200 while the process is up")
    func healthz() async throws {
        let dir = try TemporaryDirectory()
        try await Self.application(dataDirectory: dir.path("data")).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test("/readyz answers 200 once the database is migrated and the data directory writable")
    func readyz() async throws {
        let dir = try TemporaryDirectory()
        try await Self.application(dataDirectory: dir.path("data")).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let body =
                    try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(body?["status"] as? String == "ready")
            }
        }
    }

    @Test("/readyz answers 503 problem+json naming the cause when the data directory is gone")
    func readyzFailsWithoutDataDirectory() async throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        try await Self.application(dataDirectory: data).test(.router) { client in
            // Replace the directory by a file: the database stays open, the directory is unusable.
            let moved = dir.path("moved")
            try FileManager.default.moveItem(atPath: data, toPath: moved)
            try Data().write(to: URL(fileURLWithPath: data))
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body =
                    try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(body?["status"] as? Int == 503)
                let detail = body?["detail"] as? String ?? ""
                #expect(detail.contains("data directory \(data) is not writable"), "detail: \(detail)")
            }
        }
    }

    @Test("a live server on loopback answers /healthz")
    func live() async throws {
        let dir = try TemporaryDirectory()
        try await Self.application(dataDirectory: dir.path("data")).test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
