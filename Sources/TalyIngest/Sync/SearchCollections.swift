import Foundation
import Synchronization
import TalyIndex
import TalyStore

#if canImport(Glibc)
    import Glibc
#endif

/// One committed state of a collection's index, ready to search: the searcher, and how fresh it is.
public struct SearchSnapshot: Sendable {
    /// The searcher over the snapshot (immutable, shared by any number of requests). Its default
    /// fields are the collection's text fields.
    public let searcher: IndexSearcher
    /// The newest outbox event the snapshot reflects: the collection holds every change written
    /// up to it (later events may also be in). Nil for an index committed without one.
    public let appliedEventID: OutboxEventID?
    /// The generation folder the snapshot was opened from.
    public let directory: String

    /// The snapshot's reader.
    public var reader: IndexReader { searcher.reader }
}

/// The searchers of every tenant's collections under a data root, for the API.
///
/// `snapshot(tenantID:collection:)` returns the collection's current committed index. Each
/// call checks two files (the collection's `current` pointer and its generation's `manifest`,
/// both replaced by rename on every commit or swap) and reopens only when either changed, so a
/// search sees what the worker committed, in this process or another, from its next call on.
/// A snapshot stays valid after later commits and rebuild swaps: it holds its files mapped.
///
/// Thread-safe: the cache is behind a lock that is not held while an index is opened.
public final class SearchCollections: Sendable {
    /// The data root: indexes live under `<root>/tenants/`.
    public let root: String

    private struct Key: Hashable {
        let tenantID: TenantID
        let collection: SearchCollection
    }

    /// The identity of a committed state: the files' inode and change time. A rename installs a
    /// new inode, so equal stamps mean the same commit.
    private struct Stamp: Equatable {
        let pointer: FileIdentity
        let manifest: FileIdentity
    }

    private struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64
        let changeSeconds: Int
        let changeNanoseconds: Int

        init?(path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            changeSeconds = Int(status.st_ctim.tv_sec)
            changeNanoseconds = Int(status.st_ctim.tv_nsec)
        }
    }

    private struct Entry {
        let stamp: Stamp
        let snapshot: SearchSnapshot
    }

    private let cache = Mutex<[Key: Entry]>([:])

    /// The collections under the data root `root`.
    public init(root: String) {
        self.root = root
    }

    /// The current snapshot of a tenant's collection, nil when the collection has no index.
    /// Throws when the index cannot be opened (damaged files).
    public func snapshot(tenantID: TenantID, collection: SearchCollection) throws(IndexError) -> SearchSnapshot? {
        let key = Key(tenantID: tenantID, collection: collection)
        let location = CollectionIndexLocation(root: root, tenantID: tenantID, collection: collection)
        let pointerPath = location.path + "/" + CollectionIndexLocation.pointerName
        var attempt = 0
        while true {
            // The pointer's identity is taken before its text is read: a swap in between leaves a
            // newer text under an older identity, which the next call's `stat` tells apart. So an
            // unchanged identity names the cached generation, and a hit costs two `stat`s (its
            // text was read through Foundation on every search before).
            let pointer = FileIdentity(path: pointerPath)
            if let pointer, let entry = cache.withLock({ $0[key] }), entry.stamp.pointer == pointer,
                FileIdentity(path: entry.snapshot.directory + "/" + Manifest.fileName) == entry.stamp.manifest
            {
                return entry.snapshot
            }
            guard let directory = try location.currentGeneration() else {
                _ = cache.withLock { $0.removeValue(forKey: key) }
                return nil
            }
            let stamp = pointer.flatMap { pointer in
                FileIdentity(path: directory + "/" + Manifest.fileName).map { Stamp(pointer: pointer, manifest: $0) }
            }
            let reader: IndexReader
            do throws(IndexError) {
                reader = try IndexReader.open(directory: directory)
            } catch {
                // A swap removed the generation between reading `current` and opening it.
                attempt += 1
                guard attempt < 10, (try? location.currentGeneration()) != directory else { throw error }
                continue
            }
            let snapshot = SearchSnapshot(
                // Field-less leaves search every text field: what both mappings derive.
                searcher: IndexSearcher(reader: reader),
                appliedEventID: reader.manifest.userData[IndexSyncWorker.eventIDKey].flatMap { Int64($0) }.map {
                    OutboxEventID($0)
                },
                directory: directory)
            // The stamp was taken before opening: if a commit landed in between, the next call
            // sees a newer stamp and reopens, never the other way round.
            if let stamp {
                cache.withLock { $0[key] = Entry(stamp: stamp, snapshot: snapshot) }
            }
            return snapshot
        }
    }

    /// Forgets the cached snapshots of a tenant (a deleted tenant's indexes stay mapped otherwise).
    public func forget(tenantID: TenantID) {
        cache.withLock { cache in cache = cache.filter { $0.key.tenantID != tenantID } }
    }

}

/// What the current index of one tenant's collection holds, for monitoring.
public struct CollectionSize: Sendable, Equatable {
    /// The tenant.
    public let tenantID: TenantID
    /// The collection.
    public let collection: SearchCollection
    /// Live documents.
    public let documents: Int
    /// Bytes of the current generation's files.
    public let bytes: Int64
}

extension SearchCollections {
    /// Every tenant collection with a committed index under the root, with its size, by tenant
    /// then collection. Read from the current generation's manifest and file sizes, so a scrape
    /// maps no index; one whose manifest cannot be read is left out (its searches fail loudly).
    public func sizes() -> [CollectionSize] {
        let tenants = root + "/tenants"
        var sizes: [CollectionSize] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tenants)) ?? [] {
            guard let rawID = Int64(name) else { continue }
            let tenantID = TenantID(rawID)
            let types = (try? FileManager.default.contentsOfDirectory(atPath: "\(tenants)/\(name)/content")) ?? []
            for collection in [SearchCollection.products] + types.sorted().map({ .content(typeName: $0) }) {
                let location = CollectionIndexLocation(root: root, tenantID: tenantID, collection: collection)
                guard let directory = try? location.currentGeneration(),
                    let manifest = try? Manifest.load(from: directory)
                else { continue }
                let documents = manifest.segments.reduce(0) { $0 + Int($1.documentCount) - Int($1.deletedCount) }
                sizes.append(
                    CollectionSize(
                        tenantID: tenantID, collection: collection, documents: documents,
                        bytes: Self.bytes(in: directory)))
            }
        }
        return sizes.sorted {
            ($0.tenantID.rawValue, $0.collection.description) < ($1.tenantID.rawValue, $1.collection.description)
        }
    }

    /// The total size of the regular files under `directory`.
    static func bytes(in directory: String) -> Int64 {
        guard let names = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var total: Int64 = 0
        for case let name as String in names {
            var status = stat()
            if stat(directory + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
                total += Int64(status.st_size)
            }
        }
        return total
    }
}
