#if canImport(Glibc)
    import Glibc
#endif

/// The few file-system operations commits need, with errors naming the path.
public enum FileSystem {
    /// Flushes a directory's entries (new names, renames, removals) to disk: without it a
    /// rename can be lost in a power failure even after the file's own fsync.
    public static func syncDirectory(_ path: String) throws(IndexError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, operation: "open directory", reason: lastErrno()) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(path: path, operation: "fsync directory", reason: lastErrno()) }
    }

    /// Atomically replaces `destination` by `source` (same directory).
    public static func rename(_ source: String, to destination: String) throws(IndexError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw .io(path: source, operation: "rename to \(destination)", reason: lastErrno())
        }
    }

    /// Creates `path` and missing parents.
    public static func createDirectory(_ path: String) throws(IndexError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .io(path: path, operation: "create directory", reason: lastErrno())
            }
            prefix += "/"
        }
    }

    /// The names in a directory, without `.` and `..`.
    public static func listDirectory(_ path: String) throws(IndexError) -> [String] {
        guard let directory = opendir(path) else { throw .io(path: path, operation: "list", reason: lastErrno()) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a file; a file already gone is not an error.
    public static func removeFile(_ path: String) throws(IndexError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .io(path: path, operation: "remove", reason: lastErrno())
        }
    }

    /// Whether `path` exists.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
