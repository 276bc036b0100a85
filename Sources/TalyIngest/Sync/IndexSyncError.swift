import TalyIndex
import TalyStore

/// Why the index-sync worker stopped; names the collection or item at fault.
public enum IndexSyncError: Error, Equatable, CustomStringConvertible {
    /// The store refused a read or an acknowledgment.
    case store(StoreError)
    /// An index of `collection` could not be opened, written, committed or swapped.
    case index(collection: String, IndexError)
    /// An item's document does not fit its derived schema: a bug in the mapping, never input.
    case document(collection: String, itemID: Int64, DocumentError)
    /// The `beforeAcknowledge` hook stopped the worker between a commit and its acknowledgment
    /// (tests simulate a crash there).
    case interrupted(afterCommitThrough: OutboxEventID)

    public var description: String {
        switch self {
        case .store(let error): "index sync: \(error)"
        case .index(let collection, let error): "index sync of \(collection): \(error)"
        case .document(let collection, let itemID, let error): "index sync of \(collection), item \(itemID): \(error)"
        case .interrupted(let eventID): "index sync interrupted after committing events through \(eventID)"
        }
    }
}

/// One way an index and the store disagree, as `IndexSyncWorker.verify` reports it.
public enum IndexDifference: Sendable, Hashable, CustomStringConvertible {
    /// A published item (or a product) is not in the index.
    case missingFromIndex(collection: String, itemID: Int64, version: Int64)
    /// The index holds an id that is not a published item of the collection (nor a product of
    /// the products collection).
    case notPublished(collection: String, itemID: String)
    /// The index holds another version of a published item.
    case versionMismatch(collection: String, itemID: Int64, store: Int64, index: Int64)
    /// The index was built with a schema other than the one the content type now derives.
    case schemaOutdated(collection: String)
    /// The collection has items in the store but no index at all.
    case missingIndex(collection: String)

    public var description: String {
        switch self {
        case .missingFromIndex(let collection, let itemID, let version):
            "\(collection): item \(itemID) (version \(version)) is in the store but not in the index"
        case .notPublished(let collection, let itemID):
            "\(collection): the index holds \(itemID), which the store does not list there"
        case .versionMismatch(let collection, let itemID, let store, let index):
            "\(collection): item \(itemID) is at version \(store) in the store, \(index) in the index"
        case .schemaOutdated(let collection): "\(collection): the index schema is not the content type's"
        case .missingIndex(let collection): "\(collection): items in the store but no index"
        }
    }
}
