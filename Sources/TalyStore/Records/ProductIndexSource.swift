import Foundation
import GRDB
import GRDBSQLite

/// A product as a search index reads it: the columns of its row and its attributes as
/// (name, value) pairs, each name once, in the order the row stores them (by name, as the store
/// writes them). The same values as ``ProductRecord`` without building a draft and an attributes
/// dictionary the index would only walk: the index-sync worker reads back every product a bulk
/// load writes.
public struct ProductIndexSource: Sendable {
    /// The product's id.
    public let id: ProductID
    /// The SKU.
    public let sku: String
    /// The title.
    public let title: String
    /// The description (empty when there is none).
    public let description: String
    /// The price in minor units of `currency`.
    public let priceAmount: Int64
    /// The price's ISO 4217 code, as stored.
    public let currency: String
    /// The status.
    public let status: ProductStatus
    /// The attributes, each name once.
    public let attributes: [(key: String, value: AttributeValue)]
    /// When it was created.
    public let createdAt: Date
    /// When it was last changed.
    public let updatedAt: Date
    /// The optimistic-concurrency version.
    public let version: Int64

    /// Reads a row of `SELECT <ProductRecord.selectedColumns>` by position, as
    /// `ProductRecord(selected:)` does (same errors for a stored status or date that is none).
    init(selected row: Row) throws {
        let statusText: String = row[8]
        guard let status = ProductStatus(rawValue: statusText) else {
            throw StoreError.invalid(field: "status", reason: "the stored value is not a product status")
        }
        id = ProductID(row[0] as Int64)
        sku = row[2]
        title = row[3]
        description = row[4]
        priceAmount = row[5]
        currency = row[6]
        let attributesJSON: String = row[7]
        if let list = StoredJSONReader.attributeList(attributesJSON) {
            attributes = list
        } else {
            // Names out of order or anything the fast reader leaves to `JSONDecoder`: the
            // record's reading, as pairs.
            let decoded =
                try StoredJSONReader.attributes(attributesJSON)
                ?? JSONDecoder().decode([String: AttributeValue].self, from: Data(attributesJSON.utf8))
            attributes = decoded.sorted { $0.key < $1.key }
        }
        self.status = status
        createdAt = try StoredDate.date(row[9], column: "created_at")
        updatedAt = try StoredDate.date(row[10], column: "updated_at")
        version = row[11]
    }

    /// The row `handle` (a `SELECT <ProductRecord.selectedColumns>`) is on, read from SQLite's
    /// column buffers in place (`ColumnBytes`): no `String` of the attributes JSON or of the
    /// dates either, which are parsed from their bytes. The same values as `init(selected:)`, or
    /// nil when that has to decide: a NULL column, a text holding a NUL, a status, date or
    /// attributes JSON the fast readers do not take.
    init?(currentRowOf handle: SQLiteStatement) {
        guard !ColumnBytes.anyNull(handle, 0..<12, except: 1),
            let statusText = ColumnBytes.text(handle, 8), let status = ProductStatus(rawValue: statusText),
            let sku = ColumnBytes.text(handle, 2), let title = ColumnBytes.text(handle, 3),
            let description = ColumnBytes.text(handle, 4), let currency = ColumnBytes.text(handle, 6),
            let attributes = ColumnBytes.withBytes(handle, 7, StoredJSONReader.attributeList(utf8:)),
            let createdAt = ColumnBytes.storedDate(handle, 9), let updatedAt = ColumnBytes.storedDate(handle, 10)
        else { return nil }
        id = ProductID(sqlite3_column_int64(handle, 0))
        self.sku = sku
        self.title = title
        self.description = description
        priceAmount = sqlite3_column_int64(handle, 5)
        self.currency = currency
        self.status = status
        self.attributes = attributes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        version = sqlite3_column_int64(handle, 11)
    }
}
