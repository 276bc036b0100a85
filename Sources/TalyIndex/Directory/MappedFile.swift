#if canImport(Glibc)
    import Glibc
#endif

/// A whole file mapped read-only into memory: segment files are read through the page cache,
/// never copied into `Data`, so opening a large index costs no reads and little memory.
public final class MappedFile: @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// The file's bytes; valid for the lifetime of this object.
    public let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int

    /// Maps `path`; an empty file maps to an empty buffer.
    public init(path: String) throws(IndexError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, operation: "open", reason: lastErrno()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(path: path, operation: "stat", reason: lastErrno()) }
        let length = Int(status.st_size)
        mappedLength = length
        guard length > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw .io(path: path, operation: "mmap", reason: lastErrno())
        }
        bytes = UnsafeRawBufferPointer(start: address, count: length)
    }

    deinit {
        if mappedLength > 0, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
    }

    /// Tells the kernel the whole file will be read soon and in order (merges, checksums).
    public func adviseSequential() {
        guard mappedLength > 0, let base = bytes.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), mappedLength, MADV_SEQUENTIAL)
    }

    /// Tells the kernel reads will jump around (postings and stored documents at query time).
    public func adviseRandom() {
        guard mappedLength > 0, let base = bytes.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), mappedLength, MADV_RANDOM)
    }
}
