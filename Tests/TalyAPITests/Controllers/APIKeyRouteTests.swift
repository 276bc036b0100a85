import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("API key routes")
struct APIKeyRouteTests {
    @Test("a created key works with its scopes only; its secret is shown once; revoked it is refused")
    func lifecycle() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            let created = try await client.call(
                .post, "/v1/api-keys", token: acme.ownerToken, json: #"{"name": "site search", "scopes": ["search"]}"#)
            #expect(created.status == .created)
            let key = try #require(created.object["key"] as? String)
            let id = try #require((created.object["api_key"] as? [String: Any])?["id"] as? Int)
            #expect((created.object["api_key"] as? [String: Any])?["scopes"] as? [String] == ["search"])

            // A search-only key is the public one: it reaches no account data.
            #expect(try await client.call(.get, "/v1/users", token: key).status == .forbidden)
            #expect(try await client.call(.get, "/v1/api-keys", token: key).status == .forbidden)
            #expect(try await client.call(.get, "/v1/auth/sessions", token: key).status == .forbidden)

            let list = try await client.call(.get, "/v1/api-keys", token: acme.ownerToken)
            #expect(!list.text.contains(String(key.split(separator: "_")[2])))
            #expect((list.object["data"] as? [[String: Any]])?.count == 2)

            let revoked = try await client.call(.post, "/v1/api-keys/\(id)/revoke", token: acme.ownerToken)
            #expect(revoked.object["revoked"] as? Bool == true)
            let refused = try await client.call(.get, "/healthz", token: key)
            #expect(refused.status == .unauthorized)
            #expect(refused.object["detail"] as? String == "the credential was revoked")
        }
    }

    @Test("the bootstrap admin key manages users; unknown scopes and past expiry are 422")
    func scopesAndExpiry() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let adminKey = acme.bootstrap.apiKey
        try await harness.application().test(.router) { client in
            #expect(try await client.call(.get, "/v1/users", token: adminKey).status == .ok)
            let unknown = try await client.call(
                .post, "/v1/api-keys", token: adminKey, json: #"{"name": "x", "scopes": ["search", "fly", "swim"]}"#)
            #expect(unknown.invalidParamNames == ["scopes[1]", "scopes[2]"])
            let empty = try await client.call(
                .post, "/v1/api-keys", token: adminKey, json: #"{"name": "x", "scopes": []}"#)
            #expect(empty.invalidParamNames == ["scopes"])
            let past = try await client.call(
                .post, "/v1/api-keys", token: adminKey,
                json: #"{"name": "x", "scopes": ["search"], "expires_at": "2001-01-01T00:00:00Z"}"#)
            #expect(past.invalidParamNames == ["expires_at"])
            let badDate = try await client.call(
                .post, "/v1/api-keys", token: adminKey,
                json: #"{"name": "x", "scopes": ["search"], "expires_at": "soon"}"#)
            #expect(badDate.invalidParamNames == ["expires_at"])
            let future = try await client.call(
                .post, "/v1/api-keys", token: adminKey,
                json: #"{"name": "x", "scopes": ["admin"], "expires_at": "2999-01-01T00:00:00Z"}"#)
            #expect(future.status == .created)
            // The admin key lacks tenant.manage, so it cannot mint a key holding it.
            let escalate = try await client.call(
                .post, "/v1/api-keys", token: adminKey, json: #"{"name": "x", "scopes": ["tenant.manage"]}"#)
            #expect(escalate.status == .forbidden)
        }
    }

    @Test("scopes may be spelt content:read or content.read; answers give the dotted spelling")
    func scopeSpellings() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            for (spelling, scopes) in [
                ("colon", #"["content:read", "catalog:write", "search", "api_keys:manage"]"#),
                ("dot", #"["content.read", "catalog.write", "search", "api_keys.manage"]"#),
                ("mixed", #"["content:read", "catalog.write", "search", "api_keys:manage"]"#),
            ] {
                let created = try await client.call(
                    .post, "/v1/api-keys", token: acme.ownerToken,
                    json: #"{"name": "\#(spelling)", "scopes": \#(scopes)}"#)
                #expect(created.status == .created, "\(spelling): \(created.text)")
                let record = created.object["api_key"] as? [String: Any] ?? [:]
                #expect(
                    Set(record["scopes"] as? [String] ?? [])
                        == ["api_keys.manage", "catalog.write", "content.read", "search"], "\(spelling)")
                let key = try #require(created.object["key"] as? String)
                // The key holds what its scopes name, whichever the spelling, and nothing else.
                #expect(try await client.call(.get, "/v1/content-types", token: key).status == .ok, "\(spelling)")
                #expect(try await client.call(.get, "/v1/api-keys", token: key).status == .ok, "\(spelling)")
                #expect(try await client.call(.get, "/v1/users", token: key).status == .forbidden, "\(spelling)")
                let read = try await client.call(.get, "/v1/api-keys/\(record["id"] as? Int ?? 0)", token: key)
                #expect(read.object["scopes"] as? [String] == record["scopes"] as? [String])
            }
            let unknown = try await client.call(
                .post, "/v1/api-keys", token: acme.ownerToken,
                json: #"{"name": "x", "scopes": ["content:fly", "content:read:x", "content::read", "search:"]}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.invalidParamNames == ["scopes[0]", "scopes[1]", "scopes[2]", "scopes[3]"])
        }
    }
}
