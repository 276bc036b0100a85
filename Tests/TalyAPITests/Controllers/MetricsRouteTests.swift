import Foundation
import Hummingbird
import HummingbirdTesting
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("metrics after real activity")
struct MetricsRouteTests {
    /// The value of the sample `key` (`name{label="value",…}`, labels in name order) of a scrape.
    static func value(_ text: String, _ key: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            if line[..<space] == key { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    /// The bytes of the files of a collection's current generation, found by walking the folder.
    static func bytesOnDisk(_ harness: SearchHarness, _ collection: SearchCollection) throws -> Double {
        let location = CollectionIndexLocation(
            root: harness.api.resources.dataDirectory.path, tenantID: harness.acme.scope.tenantID,
            collection: collection)
        let generation = try #require(try location.currentGeneration())
        var total = 0
        for name in try FileManager.default.subpathsOfDirectory(atPath: generation) {
            let attributes = try FileManager.default.attributesOfItem(atPath: generation + "/" + name)
            if attributes[.type] as? FileAttributeType == .typeRegular { total += attributes[.size] as? Int ?? 0 }
        }
        return Double(total)
    }

    @Test("search latency, index sizes and outbox lag per consumer are read at scrape time")
    func scrape() async throws {
        let harness = try await SearchHarness.catalog()
        let tenant = harness.acme.scope.tenantID.rawValue
        let products = "{collection=\"products\",tenant=\"\(tenant)\"}"
        let articles = "{collection=\"content/article\",tenant=\"\(tenant)\"}"
        let syncLag = "taly_outbox_lag_events{consumer=\"index-sync\",tenant=\"\"}"
        try await harness.api.application().test(.router) { client in
            for query in ["lamp", "chair", "blue"] {
                let found = try await client.call(
                    .get, "/v1/search?collection=products&q=\(query)", token: harness.publicKey)
                #expect(found.status == .ok)
            }
            #expect(
                try await client.call(.get, "/v1/search?collection=article&q=lamp", token: harness.publicKey).status
                    == .ok)

            let first = try await client.call(.get, "/metrics").text
            #expect(Self.value(first, "taly_search_duration_seconds_count{collection=\"products\"}") == 3)
            #expect(Self.value(first, "taly_search_duration_seconds_count{collection=\"article\"}") == 1)
            #expect(Self.value(first, "taly_index_documents" + products) == 6)
            #expect(Self.value(first, "taly_index_documents" + articles) == 3)
            #expect(Self.value(first, "taly_index_size_bytes" + products) == (try Self.bytesOnDisk(harness, .products)))
            #expect(
                Self.value(first, "taly_index_size_bytes" + articles)
                    == (try Self.bytesOnDisk(harness, .content(typeName: "article"))))
            #expect(Self.value(first, syncLag) == 0, "\(first)")

            // Changes the worker has not applied yet show as lag at the next scrape.
            let applied = try harness.api.store.outboxPosition().rawValue
            try harness.product("N1", "New lamp", cents: 100, color: "red")
            try harness.product("N2", "New chair", cents: 100, color: "red")
            let written = try harness.api.store.outboxPosition().rawValue
            #expect(written > applied)
            let behind = try await client.call(.get, "/metrics").text
            #expect(Self.value(behind, syncLag) == Double(written - applied), "\(behind)")
            #expect(Self.value(behind, "taly_index_documents" + products) == 6)

            try await harness.worker.drain()
            let caughtUp = try await client.call(.get, "/metrics").text
            #expect(Self.value(caughtUp, syncLag) == 0)
            #expect(Self.value(caughtUp, "taly_index_documents" + products) == 8)
            #expect(
                Self.value(caughtUp, "taly_index_size_bytes" + products) == (try Self.bytesOnDisk(harness, .products)))

            // A deleted product is no longer counted, although its segment still holds it.
            let gone = try #require(try harness.acme.scope.product(sku: "N1"))
            try harness.acme.scope.deleteProduct(gone.id!, expectedVersion: gone.version, by: .system)
            try await harness.worker.drain()
            let afterDelete = try await client.call(.get, "/metrics").text
            #expect(Self.value(afterDelete, "taly_index_documents" + products) == 7)
        }
    }
}
