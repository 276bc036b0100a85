import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The exclusive write lock of an index directory, held for the writer's lifetime: a POSIX record
/// lock (`fcntl(F_SETLK)`) on `write.lock` against other processes, and a set of held paths
/// against other writers of this process. The kernel drops the record lock when the process
/// dies, so a crash never leaves a stale lock behind, and a second writer (in this process or
/// another) gets a clear error at once.
///
/// Why not `flock`: an `flock` belongs to the open file description, which a child process
/// inherits between `fork` and `exec` even with `O_CLOEXEC`, so a writer closed while another
/// thread was spawning a process could stay locked for a moment and refuse the next writer.
/// Record locks are not inherited across `fork`. They are per process and fall when any
/// descriptor of the file is closed, hence the in-process set, consulted before the file is
/// opened (as Lucene's `NativeFSLockFactory` does).
public final class IndexLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let descriptor: Int32
    /// The lock file's path with symbolic links resolved: the key of the in-process set.
    private let canonicalPath: String

    /// Lock files held by writers of this process.
    private static let heldInProcess = Mutex<Set<String>>([])

    /// The lock file's name inside the index directory.
    public static let fileName = "write.lock"

    /// Takes the lock of `directory` or throws ``IndexError/locked(directory:)`` without waiting.
    public init(directory: String) throws(IndexError) {
        path = directory + "/" + Self.fileName
        guard let resolved = realpath(directory, nil) else {
            throw .io(path: path, operation: "resolve the index directory", reason: lastErrno())
        }
        let canonicalPath = String(cString: resolved) + "/" + Self.fileName
        free(resolved)
        guard Self.heldInProcess.withLock({ $0.insert(canonicalPath).inserted }) else {
            throw .locked(directory: directory)
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = lastErrno()
            Self.heldInProcess.withLock { _ = $0.remove(canonicalPath) }
            throw .io(path: path, operation: "open lock", reason: reason)
        }
        var request = Glibc.flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        guard fcntl(descriptor, F_SETLK, &request) == 0 else {
            let failure = errno
            close(descriptor)
            Self.heldInProcess.withLock { _ = $0.remove(canonicalPath) }
            if failure == EAGAIN || failure == EACCES { throw .locked(directory: directory) }
            throw .io(path: path, operation: "lock", reason: String(cString: strerror(failure)))
        }
        self.descriptor = descriptor
        self.canonicalPath = canonicalPath
    }

    deinit {
        // Closing the descriptor releases the record lock; only then may another writer of this
        // process open the file (its close on failure would otherwise drop a lock it never held).
        close(descriptor)
        Self.heldInProcess.withLock { _ = $0.remove(canonicalPath) }
    }
}
