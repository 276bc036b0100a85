import GRDB

/// The id of one row of `Record`'s table: the phantom type keeps a user id from being passed as a role id.
public struct RecordID<Record>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The integer primary key in the database.
    public let rawValue: Int64

    /// Wraps an integer primary key.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// Decodes the bare integer.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    /// Encodes the bare integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Orders ids as their integers.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The integer, as text.
    public var description: String { String(rawValue) }
}

extension RecordID: DatabaseValueConvertible {
    /// The integer column value.
    public var databaseValue: DatabaseValue { rawValue.databaseValue }

    /// Reads an integer column value.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Self? {
        Int64.fromDatabaseValue(dbValue).map(Self.init)
    }
}

/// The id of a tenant.
public typealias TenantID = RecordID<TenantRecord>
/// The id of a user, unique across the store but only reachable through its tenant's scope.
public typealias UserID = RecordID<UserRecord>
/// The id of a role.
public typealias RoleID = RecordID<RoleRecord>
/// The id of an API key.
public typealias APIKeyID = RecordID<APIKeyRecord>
/// The id of a session.
public typealias SessionID = RecordID<SessionRecord>
/// The id of an audit log entry; ids grow with time.
public typealias AuditEntryID = RecordID<AuditLogRecord>
/// The id of an outbox event: its position in the log, growing in commit order.
public typealias OutboxEventID = RecordID<OutboxEvent>
/// The id of a content type.
public typealias ContentTypeID = RecordID<ContentTypeRecord>
/// The id of a content item.
public typealias ContentItemID = RecordID<ContentItemRecord>
/// The id of a content revision.
public typealias ContentRevisionID = RecordID<ContentRevisionRecord>
