import Foundation
import TalyStore
import TalyTestSupport
import Testing

@Suite("taly admin create-tenant", .serialized)
struct AdminCommandTests {
    @Test("creates the tenant and prints, once, a password and API key that work")
    func createTenant() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        let result = try TalyProcess.run([
            "admin", "create-tenant", "--data-dir", data, "--name", "acme", "--admin-email", "Owner@Acme.test",
            "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["tenant"] as? String == "acme")
        let password = try #require(object["password"] as? String)
        let key = try #require(object["api_key"] as? String)
        #expect(key.hasPrefix("taly_"))

        let store = try Store(path: data + "/taly.sqlite")
        let scope = try store.tenant(named: "acme")
        let owner = try scope.authenticate(email: "owner@acme.test", password: password)
        #expect(owner.email.lowercased() == "owner@acme.test")
        _ = try scope.authenticateAPIKey(key)
        #expect(throws: StoreError.self) {
            _ = try scope.authenticate(email: "owner@acme.test", password: password + "x")
        }
    }

    @Test("a tenant name that exists is one line naming the problem, and exit status 1")
    func duplicate() throws {
        let dir = try TemporaryDirectory()
        let arguments = [
            "admin", "create-tenant", "--data-dir", dir.path("data"), "--name", "acme", "--admin-email", "a@acme.test",
        ]
        #expect(try TalyProcess.run(arguments).status == 0)
        let again = try TalyProcess.run(arguments)
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("taly: error: ") && again.stderr.contains("name"), "\(again.stderr)")
        #expect(again.stderr.split(separator: "\n").count == 1)
    }
}
