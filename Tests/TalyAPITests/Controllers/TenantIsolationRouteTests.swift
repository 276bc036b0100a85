import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("tenant isolation over HTTP")
struct TenantIsolationRouteTests {
    @Test("tenant A's owner token and admin key never read or change tenant B's users, keys or sessions")
    func crossTenant() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let globex = try harness.tenant("globex")
        let globexKey = try globex.scope.createAPIKey(name: "k", scopes: [.search], by: .system)
        let globexSession = try globex.scope.createSession(for: globex.bootstrap.owner.id!)
        let user = globex.ownerID
        let key = globexKey.record.id!.rawValue
        let session = globexSession.record.id!.rawValue
        try await harness.application().test(.router) { client in
            for token in [acme.ownerToken, acme.bootstrap.apiKey] {
                let attempts: [(HTTPRequest.Method, String, String?)] = [
                    (.get, "/v1/users/\(user)", nil),
                    (.patch, "/v1/users/\(user)", #"{"display_name": "pwned"}"#),
                    (.post, "/v1/users/\(user)/disable", nil),
                    (.post, "/v1/users/\(user)/enable", nil),
                    (.post, "/v1/users/\(user)/roles", #"{"add": ["customer"]}"#),
                    (.get, "/v1/api-keys/\(key)", nil),
                    (.post, "/v1/api-keys/\(key)/revoke", nil),
                    (.post, "/v1/auth/sessions/\(session)/revoke", nil),
                ]
                for (method, uri, body) in attempts {
                    let response = try await client.call(
                        method, uri, token: token, json: body, headers: [.ifMatch: "*"])
                    // Sessions are per user, so an API key is refused before looking (403).
                    let expected: Set<HTTPResponse.Status> = [.notFound, .forbidden]
                    #expect(expected.contains(response.status), "\(method) \(uri): \(response.status)")
                    if !uri.contains("/auth/") { #expect(response.status == .notFound, "\(method) \(uri)") }
                }
                let users = try await client.call(.get, "/v1/users", token: token)
                let emails = (users.object["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
                #expect(emails == ["owner@acme.example"])
                let keys = try await client.call(.get, "/v1/api-keys", token: token)
                let prefixes = (keys.object["data"] as? [[String: Any]] ?? []).compactMap { $0["prefix"] as? String }
                #expect(!prefixes.contains(globexKey.record.prefix))
            }
            // Nothing of B's changed.
            #expect(try globex.scope.user(globex.bootstrap.owner.id!).version == 1)
            #expect(try globex.scope.user(globex.bootstrap.owner.id!).status == .active)
            #expect(try globex.scope.apiKey(globexKey.record.id!).isRevoked == false)
            #expect(try globex.scope.validateSession(globexSession.token).revokedAt == nil)
            #expect(try globex.scope.roles(of: globex.bootstrap.owner.id!).map(\.name) == ["owner"])
        }
    }

    @Test("the tenant named at login is only a lookup: the token then acts in that tenant alone")
    func loginTenantScopesToken() async throws {
        let harness = try APIHarness()
        _ = try harness.tenant("acme")
        let globex = try harness.tenant("globex")
        try await harness.application().test(.router) { client in
            let login = try await client.call(
                .post, "/v1/auth/login",
                json: AuthRouteTests.login("globex", "owner@globex.example", globex.bootstrap.password))
            let token = try #require(login.object["token"] as? String)
            let users = try await client.call(.get, "/v1/users", token: token)
            let emails = (users.object["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
            #expect(emails == ["owner@globex.example"])
            // Same email and password against the other tenant name: refused.
            let wrongTenant = try await client.call(
                .post, "/v1/auth/login",
                json: AuthRouteTests.login("acme", "owner@globex.example", globex.bootstrap.password))
            #expect(wrongTenant.status == .unauthorized)
        }
    }
}
