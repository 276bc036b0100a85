import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("user routes")
struct UsersRouteTests {
    @Test("create with a password or as an invitation; a taken email is 409")
    func create() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.router) { client in
            let created = try await client.call(
                .post, "/v1/users", token: acme.ownerToken,
                json:
                    #"{"email": "Ann@acme.example", "display_name": "Ann", "password": "long enough pw", "roles": ["editor"]}"#
            )
            #expect(created.status == .created)
            let user = created.object["user"] as? [String: Any] ?? [:]
            #expect(user["roles"] as? [String] == ["editor"])
            #expect(created.object["initial_password"] is NSNull)
            #expect(created.headers[.eTag] == "\"1\"")

            let invited = try await client.call(
                .post, "/v1/users", token: acme.ownerToken,
                json: #"{"email": "bob@acme.example", "display_name": "Bob"}"#)
            let initial = try #require(invited.object["initial_password"] as? String)
            #expect(try acme.scope.authenticate(email: "bob@acme.example", password: initial).displayName == "Bob")

            let taken = try await client.call(
                .post, "/v1/users", token: acme.ownerToken,
                json: #"{"email": "ann@ACME.example", "display_name": "A2"}"#)
            #expect(taken.status == .conflict)
            #expect(taken.invalidParamNames == ["email"])
        }
    }

    @Test("list pages through every user once with limit and cursor; a bad limit or cursor is 422")
    func list() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        for index in 0..<6 {
            _ = try acme.scope.createUser(
                email: "u\(index)@acme.example", displayName: "U\(index)", password: "long enough pw", by: .system)
        }
        try await harness.application().test(.router) { client in
            var seen: [String] = []
            var cursor: String?
            repeat {
                let uri = "/v1/users?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.call(.get, uri, token: acme.ownerToken)
                #expect(page.status == .ok)
                seen += (page.object["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
                cursor = page.object["next_cursor"] as? String
                #expect((page.object["has_more"] as? Bool) == (cursor != nil))
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7)
            let bad = try await client.call(.get, "/v1/users?limit=0&cursor=xyz", token: acme.ownerToken)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.invalidParamNames == ["limit", "cursor"])
        }
    }

    @Test("PATCH needs If-Match: 428 without, 412 stale, 200 with the current ETag (which then changes)")
    func updateWithIfMatch() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let uri = "/v1/users/\(acme.ownerID)"
        try await harness.application().test(.router) { client in
            let body = #"{"display_name": "The Owner"}"#
            let missing = try await client.call(.patch, uri, token: acme.ownerToken, json: body)
            #expect(missing.status == .preconditionRequired)
            let stale = try await client.call(
                .patch, uri, token: acme.ownerToken, json: body, headers: [.ifMatch: "\"7\""])
            #expect(stale.status == .preconditionFailed)
            let etag = try #require(try await client.call(.get, uri, token: acme.ownerToken).headers[.eTag])
            let updated = try await client.call(
                .patch, uri, token: acme.ownerToken, json: body, headers: [.ifMatch: etag])
            #expect(updated.status == .ok)
            #expect(updated.object["display_name"] as? String == "The Owner")
            #expect(updated.headers[.eTag] != etag)
            let replay = try await client.call(
                .patch, uri, token: acme.ownerToken, json: body, headers: [.ifMatch: etag])
            #expect(replay.status == .preconditionFailed)
        }
    }

    @Test("a customer sees and edits only themselves")
    func customerSeesOnlyOwnData() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let (customer, token) = try harness.user(in: acme, email: "c@acme.example", role: .customer)
        try await harness.application().test(.router) { client in
            #expect(try await client.call(.get, "/v1/users/\(customer.id!.rawValue)", token: token).status == .ok)
            #expect(try await client.call(.get, "/v1/users/\(acme.ownerID)", token: token).status == .forbidden)
            #expect(try await client.call(.get, "/v1/users", token: token).status == .forbidden)
            #expect(try await client.call(.get, "/v1/roles", token: token).status == .forbidden)
            let other = try await client.call(
                .patch, "/v1/users/\(acme.ownerID)", token: token, json: #"{"display_name": "x"}"#,
                headers: [.ifMatch: "*"])
            #expect(other.status == .forbidden)
            let own = try await client.call(
                .patch, "/v1/users/\(customer.id!.rawValue)", token: token, json: #"{"display_name": "Cee"}"#,
                headers: [.ifMatch: "*"])
            #expect(own.status == .ok)
            #expect(
                try await client.call(.post, "/v1/users/\(acme.ownerID)/disable", token: token).status == .forbidden)
            #expect(try await client.call(.get, "/v1/auth/sessions", token: token).status == .ok)
        }
    }

    @Test("disabling a user ends their sessions; enabling lets them sign in again")
    func disable() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let (editor, token) = try harness.user(in: acme, email: "ed@acme.example", role: .editor)
        try await harness.application().test(.router) { client in
            let disabled = try await client.call(
                .post, "/v1/users/\(editor.id!.rawValue)/disable", token: acme.ownerToken)
            #expect(disabled.object["status"] as? String == "disabled")
            #expect(try await client.call(.get, "/v1/auth/me", token: token).status == .unauthorized)
            let login = AuthRouteTests.login("acme", "ed@acme.example", "correct horse battery")
            #expect(try await client.call(.post, "/v1/auth/login", json: login).status == .unauthorized)
            _ = try await client.call(.post, "/v1/users/\(editor.id!.rawValue)/enable", token: acme.ownerToken)
            #expect(try await client.call(.post, "/v1/auth/login", json: login).status == .created)
        }
    }

    @Test("roles: granted and taken; no one grants more than they hold; the last owner stays")
    func roles() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let (author, _) = try harness.user(in: acme, email: "au@acme.example", role: .author)
        let (_, adminToken) = try harness.user(in: acme, email: "ad@acme.example", role: .admin)
        let uri = "/v1/users/\(author.id!.rawValue)/roles"
        try await harness.application().test(.router) { client in
            let changed = try await client.call(
                .post, uri, token: acme.ownerToken, json: #"{"add": ["editor"], "remove": ["author"]}"#)
            #expect(changed.object["roles"] as? [String] == ["editor"])
            let escalate = try await client.call(.post, uri, token: adminToken, json: #"{"add": ["owner"]}"#)
            #expect(escalate.status == .forbidden)
            let unknown = try await client.call(.post, uri, token: acme.ownerToken, json: #"{"add": ["wizard"]}"#)
            #expect(unknown.invalidParamNames == ["add[0]"])
            let lastOwner = try await client.call(
                .post, "/v1/users/\(acme.ownerID)/roles", token: acme.ownerToken, json: #"{"remove": ["owner"]}"#)
            #expect(lastOwner.status == .conflict)
            let roles = try await client.call(.get, "/v1/roles", token: adminToken)
            #expect((roles.object["data"] as? [[String: Any]])?.count == BuiltInRole.allCases.count)
        }
    }
}
