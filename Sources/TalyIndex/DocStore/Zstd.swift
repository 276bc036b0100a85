import CZstd
import Synchronization

/// zstd compression of byte blocks, the codec of the stored-document blocks.
public enum Zstd {
    /// The default level: zstd's own default, a good speed/ratio balance for 16 KiB blocks.
    public static let defaultLevel: Int32 = 3

    /// Compresses `source` at `level`, returning the zstd frame (which records the raw size).
    public static func compress(_ source: UnsafeRawBufferPointer, level: Int32 = defaultLevel) -> [UInt8] {
        let bound = ZSTD_compressBound(source.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compress(out.baseAddress, out.count, source.baseAddress, source.count, level)
        }
        // Compression into a buffer of ZSTD_compressBound bytes cannot fail for valid levels.
        precondition(ZSTD_isError(written) == 0, "zstd compression failed: \(errorName(written))")
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses one zstd frame whose raw size must be exactly `expectedSize` bytes.
    public static func decompress(_ frame: UnsafeRawBufferPointer, expectedSize: Int) throws(ZstdError) -> [UInt8] {
        let decompressor = ZstdDecompressor.checkOut()
        defer { ZstdDecompressor.checkIn(decompressor) }
        return try decompressor.decompress(frame, expectedSize: expectedSize)
    }

    /// Checks the size a frame's header declares against `expectedSize` before anything is
    /// allocated, so a damaged size in a block index cannot make us reserve gigabytes for nothing.
    static func checkDeclaredSize(of frame: UnsafeRawBufferPointer, expectedSize: Int) throws(ZstdError) {
        let declared = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        if declared == contentSizeError {
            throw ZstdError.corruptFrame(reason: "not a zstd frame header")
        }
        if declared != contentSizeUnknown, declared != UInt64(expectedSize) {
            throw ZstdError.sizeMismatch(expected: expectedSize, found: Int(clamping: declared))
        }
    }

    // zstd.h's ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR, macros Swift does not import.
    private static let contentSizeUnknown = UInt64.max
    private static let contentSizeError = UInt64.max - 1

    static func errorName(_ code: Int) -> String {
        String(cString: ZSTD_getErrorName(code))
    }
}

/// A zstd decompression context kept across frames.
///
/// `ZSTD_decompress` creates and frees a context (96 KiB of tables and buffers) on every call,
/// which cost about as much as decompressing a 32 KiB stored-documents block; a reused context
/// only resets its session. A context serves one frame at a time: it is checked out of a
/// process-wide pool by one thread and checked back in, hence `@unchecked Sendable`. One pool for
/// the process, not one per reader, so idle contexts follow the number of concurrent fetches,
/// not the number of open segments.
final class ZstdDecompressor: @unchecked Sendable {
    private let context: OpaquePointer

    private static let pool = Mutex<[ZstdDecompressor]>([])
    /// Idle contexts kept: more than the cores that fetch at once on the machines we target;
    /// beyond it a burst's extra contexts are freed.
    private static let idleLimit = 16

    /// A context for one thread's use until ``checkIn(_:)``.
    static func checkOut() -> ZstdDecompressor {
        pool.withLock { $0.popLast() } ?? ZstdDecompressor()
    }

    /// Returns `decompressor` to the pool; it is reusable after an error too, as each frame
    /// starts a new session.
    static func checkIn(_ decompressor: ZstdDecompressor) {
        pool.withLock { idle in
            if idle.count < idleLimit { idle.append(decompressor) }
        }
    }

    init() {
        // Allocation failure of a small fixed-size object: nothing sensible to recover.
        guard let context = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx failed: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses one zstd frame whose raw size must be exactly `expectedSize` bytes.
    func decompress(_ frame: UnsafeRawBufferPointer, expectedSize: Int) throws(ZstdError) -> [UInt8] {
        try Zstd.checkDeclaredSize(of: frame, expectedSize: expectedSize)
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, initialized in
            written = ZSTD_decompressDCtx(context, buffer.baseAddress, buffer.count, frame.baseAddress, frame.count)
            // Only bytes zstd wrote are exposed; on error or a short frame nothing is.
            initialized = ZSTD_isError(written) == 0 && written == expectedSize ? expectedSize : 0
        }
        if ZSTD_isError(written) != 0 {
            throw ZstdError.corruptFrame(reason: Zstd.errorName(written))
        }
        guard written == expectedSize else {
            throw ZstdError.sizeMismatch(expected: expectedSize, found: written)
        }
        return output
    }
}

/// Why a zstd frame could not be decompressed.
public enum ZstdError: Error, Equatable, CustomStringConvertible {
    /// zstd rejected the frame (bad magic, corrupt data, truncated input).
    case corruptFrame(reason: String)
    /// The frame decompressed to a different size than the block index recorded.
    case sizeMismatch(expected: Int, found: Int)

    public var description: String {
        switch self {
        case .corruptFrame(let reason): "corrupt zstd frame: \(reason)"
        case .sizeMismatch(let expected, let found):
            "zstd frame decompressed to \(found) bytes, expected \(expected)"
        }
    }
}
