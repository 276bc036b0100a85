import Foundation
import TalyIndex
import TalyStore

#if canImport(Glibc)
    import Glibc
#endif

/// What one index holds for a tenant: the published items of one content type, or the
/// tenant's products.
public enum SearchCollection: Sendable, Hashable, CustomStringConvertible {
    /// The published items of the content type with this name.
    case content(typeName: String)
    /// Every product of the tenant (whatever its status: `status` is a filter).
    case products

    /// The collection a command line or URL names: `products`, `content/<type>` or a bare
    /// content type name; nil for an empty name or one with a slash elsewhere.
    public init?(name: String) {
        if name == "products" {
            self = .products
            return
        }
        let typeName = name.hasPrefix("content/") ? String(name.dropFirst("content/".count)) : name
        guard !typeName.isEmpty, !typeName.contains("/") else { return nil }
        self = .content(typeName: typeName)
    }

    /// The path under the tenant's folder: `content/<type name>` or `products`.
    var relativePath: String {
        switch self {
        case .content(let typeName): "content/" + typeName
        case .products: "products"
        }
    }

    public var description: String { relativePath }
}

/// Where the index of one tenant's collection lives, and the atomic swap that replaces it.
///
/// Layout: `<root>/tenants/<tenant id>/<collection>/` holds generation folders `g<n>/` (each a
/// whole index) and a `current` file naming the one in use. A rebuild fills a new generation
/// folder, commits it, then renames `current.tmp` over `current` (fsynced file and folder): a
/// reader opens either the old generation or the new one, never a mix. Old generation folders
/// are removed after the swap; readers that already mapped their files keep searching them
/// (POSIX keeps unlinked files alive while mapped).
public struct CollectionIndexLocation: Sendable, Hashable {
    /// The folder of the collection (not of one generation).
    public let path: String

    static let pointerName = "current"

    /// The location of `collection` of tenant `tenantID` under the data root `root`.
    public init(root: String, tenantID: TenantID, collection: SearchCollection) {
        path = root + "/tenants/\(tenantID.rawValue)/" + collection.relativePath
    }

    /// The generation folder `current` names, nil when the collection has no index yet.
    public func currentGeneration() throws(IndexError) -> String? {
        let pointer = path + "/" + Self.pointerName
        guard FileSystem.exists(pointer) else { return nil }
        guard let data = FileManager.default.contents(atPath: pointer),
            let name = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            Self.generationNumber(name) != nil
        else { throw IndexError.corrupt(file: pointer, reason: "does not name a generation folder g<n>") }
        return path + "/" + name
    }

    /// A snapshot of the current index, nil when there is none. A swap between reading
    /// `current` and opening its folder (which the swap then removes) makes the open start over.
    public func openReader() throws(IndexError) -> IndexReader? {
        var attempt = 0
        while true {
            guard let directory = try currentGeneration() else { return nil }
            do throws(IndexError) {
                return try IndexReader.open(directory: directory)
            } catch {
                attempt += 1
                guard attempt < 10, (try? currentGeneration()) != directory else { throw error }
            }
        }
    }

    /// A new, empty generation folder numbered after every existing one.
    func makeNextGeneration() throws(IndexError) -> String {
        try FileSystem.createDirectory(path)
        let highest = try FileSystem.listDirectory(path).compactMap(Self.generationNumber).max() ?? 0
        let directory = path + "/g\(highest + 1)"
        try FileSystem.createDirectory(directory)
        return directory
    }

    /// Makes `directory` (a committed generation folder of this collection) the current index,
    /// then removes every other generation folder.
    func swap(to directory: String) throws(IndexError) {
        let name = String(directory.split(separator: "/").last ?? "")
        let temporary = path + "/" + Self.pointerName + ".tmp"
        try Self.writeSynced(Data((name + "\n").utf8), to: temporary)
        try FileSystem.rename(temporary, to: path + "/" + Self.pointerName)
        try FileSystem.syncDirectory(path)
        try removeGenerations(except: name)
    }

    /// Removes the whole collection: its pointer first, so readers stop finding it.
    func remove() throws(IndexError) {
        guard FileSystem.exists(path) else { return }
        let pointer = path + "/" + Self.pointerName
        if FileSystem.exists(pointer) { try FileSystem.removeFile(pointer) }
        try FileSystem.syncDirectory(path)
        try removeGenerations(except: nil)
    }

    private func removeGenerations(except kept: String?) throws(IndexError) {
        for name in try FileSystem.listDirectory(path) where name != kept && Self.generationNumber(name) != nil {
            do {
                try FileManager.default.removeItem(atPath: path + "/" + name)
            } catch {
                throw IndexError.io(path: path + "/" + name, operation: "remove", reason: "\(error)")
            }
        }
    }

    static func generationNumber(_ name: String) -> Int? {
        guard name.hasPrefix("g"), let number = Int(name.dropFirst()), number > 0 else { return nil }
        return number
    }

    private static func writeSynced(_ data: Data, to path: String) throws(IndexError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw IndexError.io(path: path, operation: "open", reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw IndexError.io(path: path, operation: "write", reason: String(cString: strerror(errno)))
        }
    }
}
