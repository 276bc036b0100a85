import CZstd

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
        // A frame that declares its size (ours always do) is checked before allocating, so a
        // damaged size in a block index cannot make us reserve gigabytes for nothing.
        let declared = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        if declared == contentSizeError {
            throw ZstdError.corruptFrame(reason: "not a zstd frame header")
        }
        if declared != contentSizeUnknown, declared != UInt64(expectedSize) {
            throw ZstdError.sizeMismatch(expected: expectedSize, found: Int(clamping: declared))
        }
        var output = [UInt8](repeating: 0, count: expectedSize)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_decompress(out.baseAddress, out.count, frame.baseAddress, frame.count)
        }
        if ZSTD_isError(written) != 0 {
            throw ZstdError.corruptFrame(reason: errorName(written))
        }
        guard written == expectedSize else {
            throw ZstdError.sizeMismatch(expected: expectedSize, found: written)
        }
        return output
    }

    // zstd.h's ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR, macros Swift does not import.
    private static let contentSizeUnknown = UInt64.max
    private static let contentSizeError = UInt64.max - 1

    private static func errorName(_ code: Int) -> String {
        String(cString: ZSTD_getErrorName(code))
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
