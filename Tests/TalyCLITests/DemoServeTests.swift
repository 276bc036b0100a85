import Foundation
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `taly serve --demo` as `make run` starts it: the committed fixtures loaded on a first start,
/// the printed login used against the real HTTP API, and a restart that loads nothing again.
@Suite("taly serve --demo", .serialized)
struct DemoServeTests {
    static let fixtures = TestEnvironment.repositoryRoot.appendingPathComponent("fixtures/demo").path

    @Test("a first start loads the fixtures and prints a login that signs in and searches both collections")
    func firstStartAndRestart() async throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        let products = try FixtureRecords(
            file: Self.fixtures + "/" + DemoTenant.productsFile, textFields: ["title", "description"])
        let articles = try FixtureRecords(
            file: Self.fixtures + "/" + DemoTenant.articlesFile, textFields: ["title", "body"])
        let word = try #require(FixtureRecords.commonWord(products, articles), "no word shared by both fixtures")
        print("demo fixture word: \(word) (products \(products.bounds(word)), articles \(articles.bounds(word)))")

        let first = TalyProcess([
            "serve", "--port", "0", "--data-dir", data, "--demo", "--demo-fixtures", Self.fixtures,
        ])
        try first.start()
        let port = try first.waitForPort()
        _ = try first.waitForLine(containing: "base URL:", onStandardOutput: true)
        let login = try DemoLogin(printed: first.stdout)
        #expect(login.tenant == DemoTenant.name)
        #expect(login.baseURL == "http://127.0.0.1:\(port)")
        #expect(first.stdout.contains("Demo tenant loaded: \(products.count) products, \(articles.count) articles"))

        let token = try await signIn(login)
        for (collection, fixture) in [("products", products), (DemoTenant.articleType, articles)] {
            let bounds = fixture.bounds(word)
            let total = try await eventuallyTotal(login, collection: collection, word: word, atLeast: bounds.lowerBound)
            #expect(bounds.contains(total), "\(collection): \(total) hits for \(word), fixture says \(bounds)")
            // The session token searches the same data as the API key.
            #expect(try await searchTotal(login.baseURL, bearer: token, collection: collection, word: word) == total)
        }
        first.signal(SIGTERM)
        #expect(first.waitForExit() == 0, "stderr: \(first.stderr)")

        let second = TalyProcess([
            "serve", "--port", "0", "--data-dir", data, "--demo", "--demo-fixtures", Self.fixtures,
        ])
        try second.start()
        let secondPort = try second.waitForPort()
        let hint = try second.waitForLine(containing: "Demo tenant", onStandardOutput: true)
        #expect(hint.contains("exists"))
        #expect(!second.stdout.contains("password:"), "a restart must not print a login: \(second.stdout)")
        let again = DemoLogin(login, baseURL: "http://127.0.0.1:\(secondPort)")
        _ = try await signIn(again)
        for (collection, fixture) in [("products", products), (DemoTenant.articleType, articles)] {
            let total = try await searchTotal(again.baseURL, bearer: again.apiKey, collection: collection, word: word)
            #expect(fixture.bounds(word).contains(total), "\(collection) after restart: \(total)")
        }
        second.signal(SIGTERM)
        #expect(second.waitForExit() == 0, "stderr: \(second.stderr)")

        let store = try Store(path: data + "/taly.sqlite")
        #expect(try store.tenants().map(\.name) == [DemoTenant.name])
        let scope = try store.tenant(named: DemoTenant.name)
        #expect(try scope.products(limit: 1_000).count == products.count)
    }

    @Test("plain serve loads no demo tenant")
    func noDemoByDefault() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        let server = TalyProcess(["serve", "--port", "0", "--data-dir", data])
        try server.start()
        _ = try server.waitForPort()
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0)
        #expect(server.stdout.isEmpty)
        #expect(try Store(path: data + "/taly.sqlite").tenants().isEmpty)
    }

    @Test("--demo on a data directory with other tenants writes nothing and says why")
    func otherTenants() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        let created = try TalyProcess.run(
            ["admin", "create-tenant", "--data-dir", data, "--name", "acme", "--admin-email", "owner@example.com"])
        #expect(created.status == 0)
        let server = TalyProcess([
            "serve", "--port", "0", "--data-dir", data, "--demo", "--demo-fixtures", Self.fixtures,
        ])
        try server.start()
        _ = try server.waitForPort()
        let line = try server.waitForLine(containing: "--demo", onStandardOutput: true)
        #expect(line.contains("1 tenant"))
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0)
        #expect(try Store(path: data + "/taly.sqlite").tenants().map(\.name) == ["acme"])
    }

    @Test("a first start that cannot listen still prints the login it created, then exits 1")
    func loginNotLostWhenThePortIsTaken() throws {
        let dir = try TemporaryDirectory()
        let holder = TalyProcess(["serve", "--port", "0", "--data-dir", dir.path("other")])
        try holder.start()
        let port = try holder.waitForPort()
        let data = dir.path("data")
        let result = try TalyProcess.run(
            ["serve", "--port", String(port), "--data-dir", data, "--demo", "--demo-fixtures", Self.fixtures])
        holder.signal(SIGTERM)
        holder.waitForExit()
        #expect(result.status == 1)
        #expect(result.stderr.contains("taly: error: cannot listen on 127.0.0.1:\(port)"))
        let login = try DemoLogin(printed: result.stdout)
        #expect(login.baseURL.hasPrefix("(not serving"))
        #expect(try Store(path: data + "/taly.sqlite").tenants().map(\.name) == [DemoTenant.name])
    }

    @Test("--help documents --demo and --demo-fixtures")
    func help() throws {
        let result = try TalyProcess.run(["serve", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--demo "))
        #expect(result.stdout.contains("--demo-fixtures"))
    }

    @Test("missing fixtures are one line naming the file, exit status 1, and nothing loaded")
    func missingFixtures() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        let result = try TalyProcess.run(
            ["serve", "--port", "0", "--data-dir", data, "--demo", "--demo-fixtures", dir.path("nowhere")])
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("taly: error:") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains(dir.path("nowhere") + "/" + DemoTenant.productsFile) == true)
        #expect(try Store(path: data + "/taly.sqlite").tenants().isEmpty)
    }

    // MARK: - HTTP

    func signIn(_ login: DemoLogin) async throws -> String {
        var request = URLRequest(url: URL(string: login.baseURL + "/v1/auth/login")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: [
            "tenant": login.tenant, "email": login.email, "password": login.password,
        ])
        let (body, response) = try await URLSession.shared.data(for: request)
        let status = (response as! HTTPURLResponse).statusCode
        try #require(status == 201, "login answered \(status): \(String(decoding: body, as: UTF8.self))")
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        return try #require(object["token"] as? String)
    }

    /// The total of a search for `word` (no typo tolerance: the bounds are of the exact word).
    func searchTotal(_ baseURL: String, bearer: String, collection: String, word: String) async throws -> Int {
        var request = URLRequest(
            url: URL(string: "\(baseURL)/v1/search?collection=\(collection)&q=\(word)&typo_tolerance=false&limit=1")!)
        request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        let status = (response as! HTTPURLResponse).statusCode
        try #require(status == 200, "search answered \(status): \(String(decoding: body, as: UTF8.self))")
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        return try #require(object["total"] as? Int)
    }

    /// Polls until the worker has indexed enough for the total to reach `atLeast` (60 s at most).
    func eventuallyTotal(_ login: DemoLogin, collection: String, word: String, atLeast: Int) async throws -> Int {
        let deadline = Date().addingTimeInterval(60)
        var total = 0
        repeat {
            total = try await searchTotal(login.baseURL, bearer: login.apiKey, collection: collection, word: word)
            if total >= max(atLeast, 1) { return total }
            try await Task.sleep(for: .milliseconds(100))
        } while Date() < deadline
        return total
    }
}

/// The login block `taly serve --demo` prints on a first start.
struct DemoLogin {
    let tenant: String
    let email: String
    let password: String
    let apiKey: String
    let baseURL: String

    init(printed: String) throws {
        var values: [String: String] = [:]
        for line in printed.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            values[String(trimmed[..<colon])] = trimmed[trimmed.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        func value(_ key: String) throws -> String {
            guard let found = values[key], !found.isEmpty else { throw LoginNotPrinted(key: key, output: printed) }
            return found
        }
        tenant = try value("tenant")
        email = try value("email")
        password = try value("password")
        apiKey = try value("api key")
        baseURL = try value("base URL")
    }

    init(_ login: DemoLogin, baseURL: String) {
        tenant = login.tenant
        email = login.email
        password = login.password
        apiKey = login.apiKey
        self.baseURL = baseURL
    }
}

struct LoginNotPrinted: Error, CustomStringConvertible {
    let key: String
    let output: String
    var description: String { "no \"\(key):\" line in the output:\n\(output)" }
}

/// A fixture's searchable text, read through the same decompression as the ingest, to choose a
/// search word and bound its hit count without hard-coding either.
struct FixtureRecords {
    /// Per record, its searchable fields joined and ASCII-lowercased.
    let texts: [String]
    var count: Int { texts.count }

    init(file: String, textFields: [String]) throws {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: file]) }
        defer { close(descriptor) }
        var source = try DecompressingSource(FileDescriptorSource(descriptor: descriptor))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if read == 0 { break }
            bytes += chunk[..<read]
        }
        texts = try bytes.split(separator: UInt8(ascii: "\n")).map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw CocoaError(.propertyListReadCorrupt, userInfo: [NSFilePathErrorKey: file])
            }
            return textFields.compactMap { object[$0] as? String }.joined(separator: "\n").lowercased()
        }
    }

    /// Records holding `word` between spaces surely match it; records holding it anywhere are the
    /// most that can (a token of the index never spans a non-match of the substring).
    func bounds(_ word: String) -> ClosedRange<Int> {
        let spaced = texts.count(where: { $0.contains(" \(word) ") })
        let anywhere = texts.count(where: { $0.contains(word) })
        return spaced...anywhere
    }

    /// The word of 5 to 12 ASCII letters found between spaces in the most records of both fixtures
    /// (the smaller of the two counts; ties by the word), so each search has hits.
    static func commonWord(_ first: FixtureRecords, _ second: FixtureRecords) -> String? {
        func documentFrequencies(_ records: FixtureRecords) -> [String: Int] {
            var counts: [String: Int] = [:]
            for text in records.texts {
                let words = Set(
                    text.split(separator: " ").filter { word in
                        (5...12).contains(word.count) && word.allSatisfy { $0.isASCII && $0.isLetter }
                    })
                for word in words { counts[String(word), default: 0] += 1 }
            }
            return counts
        }
        let a = documentFrequencies(first)
        let b = documentFrequencies(second)
        return a.keys.filter { b[$0] != nil }.max { x, y in
            let (left, right) = (min(a[x]!, b[x]!), min(a[y]!, b[y]!))
            return left != right ? left < right : x > y
        }
    }
}
