import Foundation

/// The directory that holds the database and the indexes, created on first start.
public struct DataDirectory: Sendable {
    /// The directory's path as configured.
    public let path: String

    /// Creates the directory if needed and proves it writable, so a bad path fails at start-up
    /// with a message, not at the first write.
    public init(preparing path: String) throws(DataDirectoryError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notADirectory(path: path) }
        } else {
            try Self.createWithParents(path)
        }
        try checkWritable()
    }

    /// Writes and removes a probe file: the only reliable test (permissions, read-only mounts,
    /// full disks and root's exemptions all play a part).
    public func checkWritable() throws(DataDirectoryError) {
        let probe = path + "/.taly-write-probe-\(getpid())"
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw .notWritable(path: path, reason: String(cString: strerror(errno)))
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    /// `mkdir -p` through the system call, because Foundation reports failures as an opaque
    /// Cocoa error code and the user needs the errno ("Not a directory", "Permission denied").
    private static func createWithParents(_ path: String) throws(DataDirectoryError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .cannotCreate(path: path, reason: String(cString: strerror(errno)))
            }
            prefix += "/"
        }
    }
}

/// Why the data directory cannot be used.
public enum DataDirectoryError: Error, Equatable, CustomStringConvertible {
    /// The path exists and is a file.
    case notADirectory(path: String)
    /// The directory (or a parent) could not be created.
    case cannotCreate(path: String, reason: String)
    /// A file could not be written inside it.
    case notWritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let path): "data directory \(path) is not a directory"
        case .cannotCreate(let path, let reason): "cannot create data directory \(path): \(reason)"
        case .notWritable(let path, let reason): "data directory \(path) is not writable: \(reason)"
        }
    }
}
