import Foundation
import Hummingbird

/// `?limit=&cursor=` of a list route. The cursor is opaque to clients (base64url of the last
/// id of the previous page, versioned), so its encoding can change without breaking them.
public struct PageRequest: Sendable, Equatable {
    /// Items per page, 1…`maximumLimit`, default `defaultLimit`.
    public let limit: Int
    /// The id after which this page starts; nil for the first page.
    public let after: Int64?

    /// The default page size.
    public static let defaultLimit = 20
    /// The largest page a client may ask for.
    public static let maximumLimit = 100

    /// The page asked for; 422 naming `limit` or `cursor` when either is malformed (both if both).
    public init(query: Parameters) throws(APIError) {
        var problems: [InvalidParam] = []
        self.init(query: query, problems: &problems)
        guard problems.isEmpty else { throw .validation(problems) }
    }

    /// The page asked for, adding a malformed `limit` or `cursor` to `problems` (and using its
    /// default) so a list route can report them together with its own filters' problems.
    public init(query: Parameters, problems: inout [InvalidParam]) {
        var limit = Self.defaultLimit
        if let text = query.get("limit") {
            if let value = Int(text), (1...Self.maximumLimit).contains(value) {
                limit = value
            } else {
                problems.append(
                    InvalidParam(name: "limit", reason: "must be an integer from 1 to \(Self.maximumLimit)"))
            }
        }
        var after: Int64?
        if let text = query.get("cursor"), !text.isEmpty {
            if let id = Self.decodeCursor(text) {
                after = id
            } else {
                problems.append(InvalidParam(name: "cursor", reason: "is not a cursor this API returned"))
            }
        }
        self.limit = limit
        self.after = after
    }

    /// A page request built directly (tests, internal callers).
    public init(limit: Int = defaultLimit, after: Int64? = nil) {
        self.limit = limit
        self.after = after
    }

    /// The opaque cursor that resumes after `id`.
    public static func encodeCursor(after id: Int64) -> String {
        Data("c1:\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ text: String) -> Int64? {
        guard text.utf8.count <= 64 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8),
            decoded.hasPrefix("c1:"), let id = Int64(decoded.dropFirst(3)), id >= 0
        else { return nil }
        return id
    }
}

/// One page of a list: `{"data": [...], "has_more": bool, "next_cursor": "..." | null}`.
public struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    /// The items of this page.
    public let data: [Item]
    /// Whether another page follows.
    public let hasMore: Bool
    /// Pass as `cursor` to get the next page; nil on the last page.
    public let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
        case nextCursor = "next_cursor"
    }

    /// A page from up to `request.limit + 1` rows fetched in id order after `request.after`:
    /// the extra row only tells that more follow.
    public init<Row>(rows: [Row], request: PageRequest, id: (Row) -> Int64, item: (Row) throws -> Item) rethrows {
        let shown = rows.prefix(request.limit)
        data = try shown.map(item)
        hasMore = rows.count > request.limit
        nextCursor = hasMore ? shown.last.map { PageRequest.encodeCursor(after: id($0)) } : nil
    }

    /// Encodes with an explicit `null` cursor on the last page, as clients test for it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(hasMore, forKey: .hasMore)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
