/// Many independent append-only byte streams in one growable buffer, the way Lucene's
/// `ByteBlockPool` slices and Tantivy's `stacker` keep in-RAM postings: each stream is a chain of
/// slices of growing size, so a term seen once costs a few bytes and a frequent term grows
/// geometrically, with no allocation per term and no copying when a stream grows.
///
/// A slice ends with a 4-byte forward pointer (the offset of the next slice) reserved up front;
/// a ``StreamCursor`` records where a stream's next byte goes and where its current slice ends.
/// Not thread-safe: one arena per indexing thread.
struct ByteSliceArena: ~Copyable {
    /// Slice sizes by level, forward pointer included; the last level repeats.
    static let sliceSizes: [Int32] = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]
    private static let pointerSize: Int32 = 4

    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var used: Int = 0

    init(initialCapacity: Int = 1 << 16) {
        capacity = max(initialCapacity, 64)
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Bytes reserved by the arena.
    var reservedBytes: Int { capacity }

    /// Bytes of the streams since the last reset, for the RAM budget.
    var usedBytes: Int { used }

    /// Forgets every stream, keeping the memory for the next segment.
    mutating func reset() { used = 0 }

    /// Starts a new stream and returns its cursor.
    mutating func startStream() -> StreamCursor {
        let start = allocateSlice(level: 0)
        return StreamCursor(
            start: start,
            write: start,
            sliceEnd: start + Self.sliceSizes[0] - Self.pointerSize,
            level: 0
        )
    }

    /// Appends one byte to the stream of `cursor`.
    @inline(__always)
    mutating func append(_ byte: UInt8, to cursor: inout StreamCursor) {
        if cursor.write == cursor.sliceEnd { growStream(&cursor) }
        storage.storeBytes(of: byte, toByteOffset: Int(cursor.write), as: UInt8.self)
        cursor.write += 1
    }

    /// Appends `value` as a LEB128 varint.
    @inline(__always)
    mutating func appendVarUInt32(_ value: UInt32, to cursor: inout StreamCursor) {
        var rest = value
        while rest >= 0x80 {
            append(UInt8(truncatingIfNeeded: rest) | 0x80, to: &cursor)
            rest >>= 7
        }
        append(UInt8(rest), to: &cursor)
    }

    /// Chains a new, larger slice after the cursor's full one.
    private mutating func growStream(_ cursor: inout StreamCursor) {
        let level = min(Int(cursor.level) + 1, Self.sliceSizes.count - 1)
        let next = allocateSlice(level: level)
        storage.storeBytes(of: next, toByteOffset: Int(cursor.sliceEnd), as: Int32.self)
        cursor.write = next
        cursor.sliceEnd = next + Self.sliceSizes[level] - Self.pointerSize
        cursor.level = UInt8(level)
    }

    private mutating func allocateSlice(level: Int) -> Int32 {
        let size = Int(Self.sliceSizes[level])
        if used + size > capacity { grow(minimum: used + size) }
        let offset = used
        used += size
        precondition(used <= Int(Int32.max), "in-RAM postings exceed 2 GiB: flush earlier (lower the RAM budget)")
        return Int32(offset)
    }

    private mutating func grow(minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        let newStorage = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newStorage.copyMemory(from: storage, byteCount: used)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// A reader positioned at the start of the stream `cursor` wrote, ending where it stopped.
    func reader(for cursor: StreamCursor) -> StreamReader {
        StreamReader(
            base: UnsafeRawPointer(storage),
            position: cursor.start,
            sliceEnd: cursor.start + Self.sliceSizes[0] - Self.pointerSize,
            level: 0,
            end: cursor.write
        )
    }

    /// Where a stream continues: its first byte, its next byte, the end of its current slice.
    struct StreamCursor {
        var start: Int32
        var write: Int32
        var sliceEnd: Int32
        var level: UInt8
    }

    /// Reads one stream back, following the forward pointers. Valid until the arena changes.
    struct StreamReader {
        let base: UnsafeRawPointer
        var position: Int32
        var sliceEnd: Int32
        var level: UInt8
        let end: Int32

        /// Whether every written byte has been read.
        var isAtEnd: Bool { position == end }

        @inline(__always)
        mutating func readByte() -> UInt8 {
            if position == sliceEnd {
                position = base.loadUnaligned(fromByteOffset: Int(sliceEnd), as: Int32.self)
                let next = min(Int(level) + 1, ByteSliceArena.sliceSizes.count - 1)
                level = UInt8(next)
                sliceEnd = position + ByteSliceArena.sliceSizes[next] - ByteSliceArena.pointerSize
            }
            let byte = base.load(fromByteOffset: Int(position), as: UInt8.self)
            position += 1
            return byte
        }

        @inline(__always)
        mutating func readVarUInt32() -> UInt32 {
            var result: UInt32 = 0
            var shift: UInt32 = 0
            while true {
                let byte = readByte()
                result |= UInt32(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
    }
}
