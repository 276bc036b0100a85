#if canImport(Glibc)
    import Glibc
#endif

/// The exclusive write lock of an index directory: an `flock` on `write.lock`, held for the
/// writer's lifetime. The kernel drops it when the process dies, so a crash never leaves a stale
/// lock behind, and a second writer (in this process or another) gets a clear error at once.
public final class IndexLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let descriptor: Int32

    /// The lock file's name inside the index directory.
    public static let fileName = "write.lock"

    /// Takes the lock of `directory` or throws ``IndexError/locked(directory:)`` without waiting.
    public init(directory: String) throws(IndexError) {
        path = directory + "/" + Self.fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, operation: "open lock", reason: lastErrno()) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            close(descriptor)
            if failure == EWOULDBLOCK { throw .locked(directory: directory) }
            throw .io(path: path, operation: "flock", reason: String(cString: strerror(failure)))
        }
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the flock.
        close(descriptor)
    }
}
