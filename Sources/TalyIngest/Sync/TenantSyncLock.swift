import TalyIndex
import TalyStore

#if canImport(Glibc)
    import Glibc
#endif

/// Serializes the index writes of one tenant across processes: the worker holds it while it
/// applies a batch, `taly index rebuild` while it rebuilds and swaps. Without it a worker in
/// another process could commit into a generation a rebuild has just swapped out, and lose
/// that commit.
///
/// A POSIX record lock on `<root>/tenants/<id>/sync.lock`, waited for: the kernel drops it when
/// the process dies, so a killed rebuild never blocks the worker. Record locks are per process
/// (threads of one process do not exclude each other, the worker's actor does that), and fall
/// when any descriptor of the file closes: hold one lock per tenant at a time.
final class TenantSyncLock {
    private var descriptor: Int32

    static let fileName = "sync.lock"

    /// Waits for and takes the lock of tenant `tenantID` under `root`.
    init(root: String, tenantID: TenantID) throws(IndexError) {
        let folder = root + "/tenants/\(tenantID.rawValue)"
        try FileSystem.createDirectory(folder)
        let path = folder + "/" + Self.fileName
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .io(path: path, operation: "open lock", reason: String(cString: strerror(errno)))
        }
        var request = Glibc.flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        while fcntl(descriptor, F_SETLKW, &request) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                descriptor = -1
                throw .io(path: path, operation: "lock", reason: reason)
            }
        }
    }

    /// Releases the lock (closing its descriptor); later calls do nothing.
    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
