import Foundation
import TalyIndex
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

/// `taly worker`, `taly serve`'s worker role and `taly index rebuild|verify`, run as the real
/// binary against a store this test process writes to.
@Suite("taly worker and tenant index commands", .serialized)
struct WorkerCommandTests {
    /// A data directory with a store, tenant `acme` and a content type `article`.
    struct Workspace {
        let directory: TemporaryDirectory
        let store: Store
        let acme: TenantScope
        let article: ContentTypeRecord

        var path: String { directory.path("data") }

        init() throws {
            directory = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path("data"), withIntermediateDirectories: true)
            store = try Store(path: directory.path("data") + "/taly.sqlite")
            let created = try store.createTenant(name: "acme", adminEmail: "owner@example.com")
            acme = try store.tenant(created.tenant.id!)
            article = try acme.createContentType(
                name: "article", displayName: "Article",
                fields: [ContentFieldDefinition(name: "body", type: .richText, searchable: true)], by: .system)
        }

        @discardableResult
        func publish(_ title: String, body: String = "zebra") throws -> ContentItemRecord {
            let draft = try acme.createContentItem(
                of: article.id!, ContentItemDraft(title: title, fields: ["body": .string(body)]), by: .system)
            return try acme.publishContentItem(draft.id!, expectedVersion: draft.version, by: .system)
        }

        /// The ids the current article index returns for `text`.
        func search(_ text: String, collection: SearchCollection = .content(typeName: "article")) throws -> Set<String>
        {
            guard
                let snapshot = try SearchCollections(root: path).snapshot(
                    tenantID: acme.tenantID, collection: collection)
            else { return [] }
            let hits = try snapshot.searcher.search(QueryParser().parseForgiving(text), limit: 10_000).hits
            return Set(
                try hits.map { hit in
                    guard
                        case .keyword(let ids)? = try snapshot.reader.segments[hit.segment].storedFields(hit.document)[
                            "id"]
                    else { return "?" }
                    return ids[0]
                })
        }

        /// Polls until `condition` holds, for at most `timeout` seconds.
        func eventually(timeout: TimeInterval = 60, _ condition: () throws -> Bool) throws -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if try condition() { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return try condition()
        }
    }

    @Test("taly worker indexes what another process publishes, and scheduled items at their time")
    func workerFollowsAnotherProcess() throws {
        let data = try Workspace()
        let worker = TalyProcess(["worker", "--data-dir", data.path, "--publish-every", "0.2s"])
        try worker.start()
        _ = try worker.waitForLine(containing: "index sync started")

        var expected: Set<String> = []
        for index in 0..<20 { expected.insert(String(try data.publish("Item \(index)").id!.rawValue)) }
        #expect(try data.eventually { try data.search("zebra") == expected }, "stderr: \(worker.stderr)")

        let scheduled = try data.acme.createContentItem(
            of: data.article.id!,
            ContentItemDraft(
                title: "Later", fields: ["body": .string("okapi")], publishAt: Date().addingTimeInterval(1.5)),
            by: .system)
        #expect(try data.search("okapi").isEmpty)
        #expect(try data.eventually { try data.search("okapi") == [String(scheduled.id!.rawValue)] })

        worker.signal(SIGTERM)
        #expect(worker.waitForExit() == 0, "stderr: \(worker.stderr)")
        #expect(worker.stderr.contains("worker stopped"))
        let verify = try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "acme"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("SIGKILL of the worker mid-stream, then a restart, ends with index == store (seeded)")
    func killAndRestart() throws {
        let data = try Workspace()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        var published: [ContentItemRecord] = []
        for round in 0..<3 {
            let worker = TalyProcess(["worker", "--data-dir", data.path, "--sync-batch-size", "7"])
            try worker.start()
            _ = try worker.waitForLine(containing: "index sync started")
            let writes = Int.random(in: 40...120, using: &random)
            let killAt = Int.random(in: 0..<writes, using: &random)
            for index in 0..<writes {
                if index == killAt { worker.signal(SIGKILL) }
                let item = try data.publish("Round \(round) item \(index)")
                published.append(item)
                // Some changes besides creations: updates, unpublishing and deletes replay too.
                if index % 9 == 4, let victim = published.randomElement(using: &random),
                    let current = try? data.acme.contentItem(victim.id!)
                {
                    if index % 2 == 0 {
                        try data.acme.deleteContentItem(current.id!, expectedVersion: current.version, by: .system)
                    } else if current.status == .published {
                        _ = try data.acme.unpublishContentItem(
                            current.id!, expectedVersion: current.version, by: .system)
                    }
                }
            }
            worker.waitForExit(timeout: 10)
        }
        let worker = TalyProcess(["worker", "--data-dir", data.path])
        try worker.start()
        _ = try worker.waitForLine(containing: "index sync started")
        let agreed = try data.eventually {
            try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "acme"]).status == 0
        }
        worker.signal(SIGTERM)
        #expect(worker.waitForExit() == 0)
        let verify = try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "acme"])
        #expect(agreed && verify.status == 0, "seed \(seed): \(verify.stdout)\(verify.stderr)")
        // No duplicates: one live document per id.
        let snapshot = try #require(
            try SearchCollections(root: data.path).snapshot(
                tenantID: data.acme.tenantID, collection: .content(typeName: "article")))
        #expect(snapshot.reader.documentCount == (try data.search("zebra")).count, "seed \(seed)")
    }

    @Test("index verify lists every difference and exits 1; index rebuild repairs, per collection or whole")
    func rebuildAndVerify() throws {
        let data = try Workspace()
        let first = try data.publish("First")
        _ = try data.acme.createProduct(
            ProductDraft(sku: "MUG-1", title: "Mug", price: Money(amount: 900, currency: "EUR"), status: .active),
            by: .system)
        let missing = try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "acme"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("content/article: items in the store but no index"), "\(missing.stdout)")
        #expect(missing.stdout.contains("products: items in the store but no index"), "\(missing.stdout)")

        let rebuilt = try TalyProcess.run(["index", "rebuild", "--data-dir", data.path, "--tenant", "acme"])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("content/article: 1 documents in g1"), "\(rebuilt.stdout)")
        #expect(rebuilt.stdout.contains("products: 1 documents in g1"), "\(rebuilt.stdout)")
        let tenantID = String(data.acme.tenantID.rawValue)
        #expect(try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", tenantID]).status == 0)

        let updated = try data.acme.updateContentItem(
            first.id!, expectedVersion: first.version,
            ContentItemDraft(title: "First", fields: ["body": .string("okapi")]), by: .system)
        let second = try data.publish("Second")
        let stale = try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "acme"])
        #expect(stale.status == 1)
        let lines = Set(stale.stdout.split(separator: "\n").map(String.init))
        #expect(
            lines == [
                "content/article: item \(first.id!.rawValue) is at version \(updated.version) in the store, \(first.version) in the index",
                "content/article: item \(second.id!.rawValue) (version \(second.version)) is in the store but not in the index",
            ], "\(stale.stdout)")

        let one = try TalyProcess.run([
            "index", "rebuild", "--data-dir", data.path, "--tenant", "acme", "--collection", "article",
        ])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("content/article: 2 documents in g2"), "\(one.stdout)")
        #expect(try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "acme"]).status == 0)
        #expect(try data.search("okapi") == [String(first.id!.rawValue)])

        let unknown = try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "nobody"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("nobody"), "\(unknown.stderr)")
    }

    @Test("a rebuild swaps generations while a worker runs; the worker continues on the new one")
    func rebuildUnderRunningWorker() throws {
        let data = try Workspace()
        let worker = TalyProcess(["worker", "--data-dir", data.path])
        try worker.start()
        _ = try worker.waitForLine(containing: "index sync started")
        var expected: Set<String> = []
        for index in 0..<10 { expected.insert(String(try data.publish("Before \(index)").id!.rawValue)) }
        #expect(try data.eventually { try data.search("zebra") == expected })
        let rebuilt = try TalyProcess.run(["index", "rebuild", "--data-dir", data.path, "--tenant", "acme"])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        for index in 0..<10 { expected.insert(String(try data.publish("After \(index)").id!.rawValue)) }
        #expect(try data.eventually { try data.search("zebra") == expected }, "stderr: \(worker.stderr)")
        worker.signal(SIGTERM)
        #expect(worker.waitForExit() == 0)
        #expect(try TalyProcess.run(["index", "verify", "--data-dir", data.path, "--tenant", "acme"]).status == 0)
    }

    @Test("taly serve runs the worker role unless --no-worker or TALY_WORKER=off")
    func serveRoles() throws {
        let data = try Workspace()
        let item = try data.publish("Served")
        let server = TalyProcess(["serve", "--port", "0", "--data-dir", data.path])
        try server.start()
        _ = try server.waitForPort()
        #expect(try data.eventually { try data.search("zebra") == [String(item.id!.rawValue)] }, "\(server.stderr)")
        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.stderr)")

        let other = try Workspace()
        try other.publish("Unserved")
        for (arguments, environment) in [
            (["serve", "--port", "0", "--data-dir", other.path, "--no-worker"], [String: String]()),
            (["serve", "--port", "0", "--data-dir", other.path], ["TALY_WORKER": "off"]),
        ] {
            let apiOnly = TalyProcess(arguments, environment: environment)
            try apiOnly.start()
            _ = try apiOnly.waitForPort()
            Thread.sleep(forTimeInterval: 1.5)
            #expect(!apiOnly.stderr.contains("index sync started"), "\(apiOnly.stderr)")
            #expect(try other.search("zebra").isEmpty)
            apiOnly.signal(SIGTERM)
            #expect(apiOnly.waitForExit() == 0)
        }
        let bad = try TalyProcess.run(["worker", "--data-dir", other.path, "--outbox-retention", "soon"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--outbox-retention"), "\(bad.stderr)")
    }
}
