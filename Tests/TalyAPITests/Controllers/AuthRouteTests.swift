import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("auth routes")
struct AuthRouteTests {
    static func login(_ tenant: String, _ email: String, _ password: String) -> String {
        let object = ["tenant": tenant, "email": email, "password": password]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("login returns a session token that authenticates; logout ends it")
    func loginAndLogout() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            let login = try await client.call(
                .post, "/v1/auth/login", json: Self.login("acme", "owner@acme.example", acme.bootstrap.password))
            #expect(login.status == .created)
            let token = try #require(login.object["token"] as? String)
            #expect(token.hasPrefix("tses_"))
            #expect((login.object["user"] as? [String: Any])?["roles"] as? [String] == ["owner"])
            let me = try await client.call(.get, "/v1/auth/me", token: token)
            #expect(me.status == .ok)
            #expect(me.object["email"] as? String == "owner@acme.example")
            #expect(me.headers[.eTag] == "\"1\"")
            #expect(try await client.call(.post, "/v1/auth/logout", token: token).status == .noContent)
            let after = try await client.call(.get, "/v1/auth/me", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }

    @Test("unknown tenant, unknown email and wrong password get the same answer")
    func noEnumeration() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            var answers: [String] = []
            for body in [
                Self.login("nope", "owner@acme.example", acme.bootstrap.password),
                Self.login("acme", "ghost@acme.example", acme.bootstrap.password),
                Self.login("acme", "owner@acme.example", "wrong password"),
            ] {
                let response = try await client.call(.post, "/v1/auth/login", json: body)
                #expect(response.status == .unauthorized)
                var object = response.object
                object["request_id"] = nil
                answers.append(String(describing: object.sorted { $0.key < $1.key }))
            }
            #expect(Set(answers).count == 1, "\(answers)")
        }
    }

    @Test("failed logins are limited per account, for existing and unknown accounts alike")
    func loginThrottle() async throws {
        var settings = APIHarness.testGateway
        settings.loginFailuresPerAccountPerHour = 3
        let harness = try APIHarness(gateway: settings)
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            for email in ["owner@acme.example", "ghost@acme.example"] {
                for _ in 0..<3 {
                    let response = try await client.call(
                        .post, "/v1/auth/login", json: Self.login("acme", email, "bad password"))
                    #expect(response.status == .unauthorized)
                }
                let blocked = try await client.call(
                    .post, "/v1/auth/login", json: Self.login("acme", email, "bad password"))
                #expect(blocked.status == .tooManyRequests)
                #expect(Int(blocked.headers[.retryAfter] ?? "") ?? 0 > 3000)
            }
            // Even the right password waits out the lock: the lock must not confirm a guess.
            let right = try await client.call(
                .post, "/v1/auth/login", json: Self.login("acme", "owner@acme.example", acme.bootstrap.password))
            #expect(right.status == .tooManyRequests)
        }
    }

    @Test("failed logins are limited per client address across accounts")
    func loginThrottlePerAddress() async throws {
        var settings = APIHarness.testGateway
        settings.loginFailuresPerAddressPerHour = 2
        let harness = try APIHarness(gateway: settings)
        _ = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            let from: HTTPFields = [.xForwardedFor: "203.0.113.9"]
            for index in 0..<2 {
                let response = try await client.call(
                    .post, "/v1/auth/login", json: Self.login("acme", "u\(index)@acme.example", "bad password"),
                    headers: from)
                #expect(response.status == .unauthorized)
            }
            let blocked = try await client.call(
                .post, "/v1/auth/login", json: Self.login("acme", "u9@acme.example", "bad password"), headers: from)
            #expect(blocked.status == .tooManyRequests)
            let elsewhere = try await client.call(
                .post, "/v1/auth/login", json: Self.login("acme", "u9@acme.example", "bad password"),
                headers: [.xForwardedFor: "198.51.100.1"])
            #expect(elsewhere.status == .unauthorized)
        }
    }

    @Test("a user lists their own sessions and revokes one; another user's session is not found")
    func sessions() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let second = try acme.scope.createSession(for: acme.bootstrap.owner.id!)
        let (_, editorToken) = try harness.user(in: acme, email: "ed@acme.example", role: .editor)
        try await harness.application().test(.router) { client in
            let list = try await client.call(.get, "/v1/auth/sessions?limit=1", token: acme.ownerToken)
            #expect(list.status == .ok)
            let data = list.object["data"] as? [[String: Any]] ?? []
            #expect(data.count == 1)
            #expect(list.object["has_more"] as? Bool == true)
            let cursor = try #require(list.object["next_cursor"] as? String)
            let next = try await client.call(.get, "/v1/auth/sessions?limit=1&cursor=\(cursor)", token: acme.ownerToken)
            #expect((next.object["data"] as? [[String: Any]])?.count == 1)
            #expect(next.object["has_more"] as? Bool == false)
            #expect(next.object["next_cursor"] is NSNull)

            let secondID = second.record.id!.rawValue
            let foreign = try await client.call(.post, "/v1/auth/sessions/\(secondID)/revoke", token: editorToken)
            #expect(foreign.status == .notFound)
            let own = try await client.call(.post, "/v1/auth/sessions/\(secondID)/revoke", token: acme.ownerToken)
            #expect(own.status == .ok)
            #expect(try await client.call(.get, "/v1/auth/me", token: second.token).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/auth/me", token: acme.ownerToken).status == .ok)
        }
    }

    @Test("changing the password needs the current one, keeps this session and ends the others")
    func changePassword() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let other = try acme.scope.createSession(for: acme.bootstrap.owner.id!)
        try await harness.application().test(.router) { client in
            let wrong = try await client.call(
                .post, "/v1/auth/password", token: acme.ownerToken,
                json: #"{"current_password": "not it", "new_password": "a new long password"}"#)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.invalidParamNames == ["current_password"])
            let weak = try await client.call(
                .post, "/v1/auth/password", token: acme.ownerToken,
                json: #"{"current_password": "\#(acme.bootstrap.password)", "new_password": "short"}"#)
            #expect(weak.invalidParamNames == ["new_password"])
            let changed = try await client.call(
                .post, "/v1/auth/password", token: acme.ownerToken,
                json: #"{"current_password": "\#(acme.bootstrap.password)", "new_password": "a new long password"}"#)
            #expect(changed.status == .noContent)
            #expect(try await client.call(.get, "/v1/auth/me", token: acme.ownerToken).status == .ok)
            #expect(try await client.call(.get, "/v1/auth/me", token: other.token).status == .unauthorized)
            let login = try await client.call(
                .post, "/v1/auth/login", json: Self.login("acme", "owner@acme.example", "a new long password"))
            #expect(login.status == .created)
        }
    }

    @Test("a malformed Authorization header is 401, never anonymous")
    func malformedAuthorization() async throws {
        let harness = try APIHarness()
        try await harness.application().test(.router) { client in
            for header in [
                "Basic abc", "Bearer", "Bearer tses_zz_zz",
                "Bearer taly_0000000000000000_" + String(repeating: "0", count: 64),
            ] {
                let response = try await client.call(.get, "/healthz", headers: [.authorization: header])
                #expect(response.status == .unauthorized, "\(header)")
            }
        }
    }

    @Test("the bearer scheme in any case, the credential trimmed of spaces and tabs")
    func bearerToken() async throws {
        let key = "taly_0123456789abcdef_" + String(repeating: "a", count: 64)
        for header in [
            "Bearer " + key, "bearer " + key, "BEARER \t " + key + " \t", "bEaReR \u{3000}" + key + "\u{A0}",
        ] {
            #expect(AuthMiddleware.bearerToken(header) == key, "\(header)")
        }
        #expect(AuthMiddleware.bearerToken("Bearer ") == nil)
        #expect(AuthMiddleware.bearerToken("Bearer  ") == "")
        #expect(AuthMiddleware.bearerToken("Bearer\u{0}" + key) == nil)
        #expect(AuthMiddleware.bearerToken("Bearer\t" + key) == nil)
        #expect(AuthMiddleware.bearerToken("Basic " + key) == nil)
        #expect(AuthMiddleware.bearerToken("Bearér " + key) == nil)
        // A valid key behind the lowercase scheme authenticates over HTTP.
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let created = try acme.scope.createAPIKey(name: "site", scopes: [.search], expiresAt: nil, by: .system).key
        try await harness.application().test(.router) { client in
            let response = try await client.call(
                .get, "/v1/search?collection=products", headers: [.authorization: "bEARER " + created])
            #expect(response.status == .ok)
        }
    }

    @Test("live: login and /v1/auth/me over a real socket")
    func live() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.live) { client in
            let login = try await client.call(
                .post, "/v1/auth/login", json: Self.login("acme", "owner@acme.example", acme.bootstrap.password))
            #expect(login.status == .created)
            let token = try #require(login.object["token"] as? String)
            #expect(try await client.call(.get, "/v1/auth/me", token: token).status == .ok)
        }
    }
}
