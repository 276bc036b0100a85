import Foundation
import GRDB
import GRDBSQLite
import TalyTestSupport
import Testing

@testable import TalyStore

/// `ProductIndexSource(currentRowOf:)` reads SQLite's column buffers in place; it must give what
/// GRDB's row reading (`init(selected:)`) gives, or nil and leave the row to it.
@Suite("products read for the index straight from SQLite's columns")
struct ProductIndexSourceTests {
    /// Every field, texts by their UTF-8 bytes and dates by their bits.
    static func same(_ a: ProductIndexSource, _ b: ProductIndexSource) -> Bool {
        a.id == b.id && Array(a.sku.utf8) == Array(b.sku.utf8) && Array(a.title.utf8) == Array(b.title.utf8)
            && Array(a.description.utf8) == Array(b.description.utf8) && a.priceAmount == b.priceAmount
            && Array(a.currency.utf8) == Array(b.currency.utf8) && a.status == b.status
            && a.attributes.map { Array($0.key.utf8) } == b.attributes.map { Array($0.key.utf8) }
            && a.attributes.map(\.value) == b.attributes.map(\.value)
            && a.createdAt.timeIntervalSinceReferenceDate.bitPattern
                == b.createdAt.timeIntervalSinceReferenceDate.bitPattern
            && a.updatedAt.timeIntervalSinceReferenceDate.bitPattern
                == b.updatedAt.timeIntervalSinceReferenceDate.bitPattern
            && a.version == b.version
    }

    @Test("gives GRDB's values, or nil for the rows only GRDB's reading takes (seeded)")
    func sameAsGRDB() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        func value(_ depth: Int = 0) -> AttributeValue {
            switch random.next() % (depth > 0 ? 5 : 6) {
            case 0: .integer(Int64(bitPattern: random.next()) >> (random.next() % 64))
            case 1: .number(Double(Int64(random.next() % 20_000) - 10_000) / 8)
            case 2: .bool(random.next() % 2 == 0)
            case 3: .string(["", "red", "a \"quoted\" / slash", "élan", "\u{1F600}", "x\ny"][Int(random.next() % 6)])
            case 4: .integer(Int64(random.next() % 100))
            default: .array((0..<Int(random.next() % 4)).map { _ in value(depth + 1) })
            }
        }
        let names = ["size", "brand", "größe", "colors", "w", "a/b", "zz"]
        var ids: [Int64] = []
        for index in 0..<80 {
            var attributes: [String: AttributeValue] = [:]
            for name in names where random.next() % 3 == 0 { attributes[name] = value() }
            let product = try scope.createProduct(
                try sampleDraft(
                    sku: "SKU-\(index)",
                    title: ["Mug \(index)", "Tasse \(index) à café", "\u{1F600} \(index)"][
                        Int(random.next() % 3)],
                    amount: Int64(random.next() % 100_000), currency: ["EUR", "JPY", "USD"][Int(random.next() % 3)],
                    attributes: attributes, status: ProductStatus.allCases[Int(random.next() % 3)]),
                by: .system)
            ids.append(product.id!.rawValue)
        }
        // Rows the store never writes but a hand-made one may hold. Left to GRDB: names out of
        // order, dates not written as the store writes them, a NUL inside a text, attributes JSON
        // that is not UTF-8 (GRDB repairs it first). Read in place: an invalid UTF-8 title
        // (repaired as GRDB repairs it).
        let leftToGRDB: Set<Int64> = [ids[3], ids[10], ids[11], ids[20], ids[31]]
        try fixture.store.write { db in
            try db.execute(sql: #"UPDATE product SET attributes = '{"b":1,"a":2}' WHERE id = ?"#, arguments: [ids[3]])
            try db.execute(
                sql:
                    "UPDATE product SET created_at = '2025-06-15 12:00:00', updated_at = '2025-06-16 08:30:00' WHERE id = ?",
                arguments: [ids[10]])
            try db.execute(
                sql: "UPDATE product SET updated_at = '2030-01-01T00:00:00.000' WHERE id = ?", arguments: [ids[11]])
            try db.execute(
                sql: "UPDATE product SET description = 'ab' || char(0) || 'cd' WHERE id = ?", arguments: [ids[20]])
            try db.execute(sql: "UPDATE product SET title = CAST(X'41C328' AS TEXT) WHERE id = ?", arguments: [ids[30]])
            try db.execute(
                sql: #"UPDATE product SET attributes = CAST(X'7B2278223A2241C3227D' AS TEXT) WHERE id = ?"#,
                arguments: [ids[31]])
        }
        let grdb: [ProductIndexSource] = try fixture.store.read { db in
            let statement = try db.makeStatement(
                sql: "SELECT \(ProductRecord.selectedColumns) FROM product ORDER BY id")
            let handle = statement.sqliteStatement
            var read: [ProductIndexSource] = []
            let rows = try Row.fetchCursor(statement)
            while let row = try rows.next() {
                let expected = try ProductIndexSource(selected: row)
                let inPlace = ProductIndexSource(currentRowOf: handle)
                #expect((inPlace == nil) == leftToGRDB.contains(expected.id.rawValue), "seed \(seed): \(expected.id)")
                if let inPlace { #expect(Self.same(inPlace, expected), "seed \(seed): \(expected.id)") }
                read.append(expected)
            }
            return read
        }
        #expect(grdb.count == ids.count)
        // The worker's reads (a range, then a list) give GRDB's values for every row.
        let asked = ids.filter { _ in random.next() % 5 != 0 }.map(ProductID.init)
        let expected = grdb.filter { source in asked.contains(source.id) }
        for sources in [
            try scope.productIndexSources(ids: asked), try scope.productIndexSources(ids: asked + [ProductID(1 << 40)]),
        ] {
            #expect(sources.count == expected.count, "seed \(seed)")
            for (source, wanted) in zip(sources, expected) {
                #expect(Self.same(source, wanted), "seed \(seed): \(wanted.id)")
            }
        }
    }
}
