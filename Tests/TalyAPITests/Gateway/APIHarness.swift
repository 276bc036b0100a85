import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

/// A server over a real store in a temporary directory, with helpers to call it.
struct APIHarness: Sendable {
    let directory: TemporaryDirectory
    let configuration: TalyConfiguration
    let resources: ServerResources

    /// Rate limits off so tests that send many requests are not throttled by accident, and a
    /// request deadline far beyond the 30 s default: deadlines are wall clock, and a parallel
    /// test run on two loaded cores can hold a quick request that long (RequestTimeoutTests
    /// checks deadlines with settings of its own).
    static let testGateway: GatewaySettings = {
        var settings = GatewaySettings.defaults
        settings.requestTimeout = .seconds(600)
        settings.rateLimitPerAddress = RateLimit(burst: 0, perSecond: 0)
        settings.rateLimitPerCredential = RateLimit(burst: 0, perSecond: 0)
        settings.trustForwardedFor = true
        return settings
    }()

    init(gateway: GatewaySettings = testGateway) throws {
        directory = try TemporaryDirectory()
        var configuration = TalyConfiguration.defaults
        configuration.dataDirectory = directory.path("data")
        configuration.port = 0
        configuration.gateway = gateway
        self.configuration = configuration
        resources = try ServerResources(configuration: configuration)
    }

    var store: any RecordStore { resources.store }

    func application() -> some ApplicationProtocol {
        buildApplication(configuration: configuration, resources: resources, logger: Logger(label: "test"))
    }

    /// A tenant with its owner and admin key, and an owner session token.
    func tenant(_ name: String) throws -> TestTenant {
        let bootstrap = try store.createTenant(name: name, adminEmail: "owner@\(name).example")
        let scope = try store.tenant(bootstrap.tenant.id!)
        let session = try scope.createSession(for: bootstrap.owner.id!)
        return TestTenant(bootstrap: bootstrap, scope: scope, ownerToken: session.token)
    }

    /// A user of `tenant` with the built-in `role`, and a session token for them.
    func user(
        in tenant: TestTenant, email: String, role: BuiltInRole, password: String = "correct horse battery"
    ) throws -> (UserRecord, String) {
        let roleID = try tenant.scope.role(role).id!
        let user = try tenant.scope.createUser(
            email: email, displayName: email, password: password, roles: [roleID], by: .system)
        return (user, try tenant.scope.createSession(for: user.id!).token)
    }
}

struct TestTenant: Sendable {
    let bootstrap: TenantBootstrap
    let scope: any TenantStore
    let ownerToken: String
    var ownerID: Int64 { bootstrap.owner.id!.rawValue }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
        bytes: [UInt8]? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        let (fields, body) = requestParts(token: token, json: json, bytes: bytes, headers: headers)
        return try await execute(uri: uri, method: method, headers: fields, body: body)
    }
}

/// The headers and body of a test request: an optional bearer token, and a JSON text or raw
/// bytes sent as `application/json` unless `headers` name another type.
func requestParts(
    token: String?, json: String?, bytes: [UInt8]?, headers: HTTPFields
) -> (HTTPFields, ByteBuffer?) {
    var fields = headers
    if let token { fields[.authorization] = "Bearer \(token)" }
    var body: ByteBuffer?
    if let json {
        body = ByteBuffer(string: json)
        if fields[.contentType] == nil { fields[.contentType] = "application/json" }
    } else if let bytes {
        body = ByteBuffer(bytes: bytes)
        if fields[.contentType] == nil { fields[.contentType] = "application/json" }
    }
    return (fields, body)
}

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }

    /// The problem's `type` slug (after the last `/`).
    var problemKind: String? {
        (object["type"] as? String).map { String($0.split(separator: "/").last ?? "") }
    }

    /// The names in `invalid_params`.
    var invalidParamNames: [String] {
        (object["invalid_params"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }
}

/// Connections of their own to a `.live` test server, each with a deadline a loaded machine
/// cannot miss: HummingbirdTesting's live client is one connection (so concurrent calls queue
/// behind each other on it) with a fixed 20 s deadline, which the whole suite running in
/// parallel has exceeded.
struct LiveConnections: Sendable {
    let clients: [TestClient]

    /// Runs `body` with `count` connections to the server the live `client` talks to.
    static func with<Value: Sendable>(
        _ count: Int, to client: some TestClientProtocol, _ body: @Sendable (LiveConnections) async throws -> Value
    ) async throws -> Value {
        let port = try #require(client.port)
        let clients = (0..<count).map { _ in
            TestClient(host: "localhost", port: port, configuration: .init(timeout: .seconds(300)))
        }
        for client in clients { client.connect() }
        let connections = LiveConnections(clients: clients)
        do {
            let value = try await body(connections)
            for client in clients { try await client.shutdown() }
            return value
        } catch {
            for client in clients { try? await client.shutdown() }
            throw error
        }
    }

    /// Sends a request on connection `index % count`: status and body.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, on index: Int = 0, token: String? = nil, json: String? = nil,
        bytes: [UInt8]? = nil, headers: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, body: ByteBuffer) {
        let (fields, body) = requestParts(token: token, json: json, bytes: bytes, headers: headers)
        let response = try await clients[index % clients.count].execute(
            TestClient.Request(uri, method: method, authority: "localhost", headers: fields, body: body))
        return (response.status, response.body ?? ByteBuffer())
    }
}
