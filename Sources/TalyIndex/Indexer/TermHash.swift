#if canImport(Glibc)
    import Glibc
#endif

/// Interns the distinct terms of one field while indexing: term bytes to dense ids 0, 1, 2, …
///
/// Open addressing with linear probing over a power-of-two table of ids; each id keeps its
/// bytes in one arena and its full 64-bit hash, so probes compare hashes before bytes and
/// rehashing never rereads terms. No allocation per lookup or per new term (amortized).
struct TermHash: ~Copyable {
    private static let empty = UInt32.max

    private var table: UnsafeMutablePointer<UInt32>
    private var tableMask: Int
    private var bytes: UnsafeMutableRawPointer
    private var bytesCapacity: Int
    private var bytesUsed = 0
    /// Per term id: offset of its bytes in the arena, its length, its hash.
    private(set) var starts: [Int32] = []
    private(set) var lengths: [UInt16] = []
    private var hashes: [UInt64] = []

    init(initialTableSize: Int = 1 << 12) {
        precondition(initialTableSize > 0 && initialTableSize & (initialTableSize - 1) == 0)
        table = UnsafeMutablePointer<UInt32>.allocate(capacity: initialTableSize)
        table.initialize(repeating: Self.empty, count: initialTableSize)
        tableMask = initialTableSize - 1
        bytesCapacity = 1 << 16
        bytes = UnsafeMutableRawPointer.allocate(byteCount: bytesCapacity, alignment: 8)
    }

    deinit {
        table.deallocate()
        bytes.deallocate()
    }

    /// Number of distinct terms.
    var count: Int { starts.count }

    /// Bytes reserved, for the RAM budget.
    var reservedBytes: Int {
        (tableMask + 1) * 4 + bytesCapacity + starts.capacity * 4 + lengths.capacity * 2 + hashes.capacity * 8
    }

    /// The id of `term`, adding it when new; `isNew` tells which.
    @inline(__always)
    mutating func intern(_ term: UnsafeRawBufferPointer) -> (id: UInt32, isNew: Bool) {
        precondition(term.count <= Int(UInt16.max), "terms are limited to 65535 bytes")
        let hash = Self.hash(term)
        var slot = Int(truncatingIfNeeded: hash) & tableMask
        while true {
            let id = table[slot]
            if id == Self.empty { break }
            if hashes[Int(id)] == hash && equals(Int(id), term) { return (id, false) }
            slot = (slot + 1) & tableMask
        }
        let id = UInt32(starts.count)
        if bytesUsed + term.count > bytesCapacity { growBytes(minimum: bytesUsed + term.count) }
        if term.count > 0 { (bytes + bytesUsed).copyMemory(from: term.baseAddress!, byteCount: term.count) }
        starts.append(Int32(bytesUsed))
        lengths.append(UInt16(term.count))
        hashes.append(hash)
        bytesUsed += term.count
        table[slot] = id
        // Keep the load factor under 1/2 so probe runs stay short.
        if starts.count * 2 > tableMask + 1 { growTable() }
        return (id, true)
    }

    /// The id of `term` when it is known.
    func lookup(_ term: UnsafeRawBufferPointer) -> UInt32? {
        let hash = Self.hash(term)
        var slot = Int(truncatingIfNeeded: hash) & tableMask
        while true {
            let id = table[slot]
            if id == Self.empty { return nil }
            if hashes[Int(id)] == hash && equals(Int(id), term) { return id }
            slot = (slot + 1) & tableMask
        }
    }

    /// The bytes of term `id`; valid until the next `intern`.
    @inline(__always)
    func term(_ id: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bytes + Int(starts[id]), count: Int(lengths[id]))
    }

    /// Term ids ordered by their bytes (unsigned lexicographic), the order of the dictionary.
    func sortedIDs() -> [UInt32] {
        var ids = (0..<UInt32(count)).map { $0 }
        ids.sort { a, b in Self.less(term(Int(a)), term(Int(b))) }
        return ids
    }

    /// Forgets every term, keeping memory.
    mutating func reset() {
        table.update(repeating: Self.empty, count: tableMask + 1)
        bytesUsed = 0
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
    }

    /// Unsigned byte-wise order, shorter prefix first.
    static func less(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let common = min(a.count, b.count)
        if common > 0 {
            let order = memcmp(a.baseAddress!, b.baseAddress!, common)
            if order != 0 { return order < 0 }
        }
        return a.count < b.count
    }

    @inline(__always)
    private func equals(_ id: Int, _ term: UnsafeRawBufferPointer) -> Bool {
        guard Int(lengths[id]) == term.count else { return false }
        return term.count == 0 || memcmp(bytes + Int(starts[id]), term.baseAddress!, term.count) == 0
    }

    /// A fast multiplicative hash over 8-byte words (the FxHash construction, as in rustc and
    /// Tantivy's term hashing), finished with a murmur-style mix so low bits are usable as slots.
    @inline(__always)
    static func hash(_ term: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(term.count)
        var offset = 0
        while offset + 8 <= term.count {
            let word = term.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            h = ((h << 5) | (h >> 59) ^ word) &* 0x517C_C1B7_2722_0A95
            offset += 8
        }
        if offset < term.count {
            var word: UInt64 = 0
            for index in offset..<term.count { word = word << 8 | UInt64(term[index]) }
            h = ((h << 5) | (h >> 59) ^ word) &* 0x517C_C1B7_2722_0A95
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }

    private mutating func growTable() {
        let newSize = (tableMask + 1) * 2
        table.deallocate()
        table = UnsafeMutablePointer<UInt32>.allocate(capacity: newSize)
        table.initialize(repeating: Self.empty, count: newSize)
        tableMask = newSize - 1
        for id in 0..<starts.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & tableMask
            while table[slot] != Self.empty { slot = (slot + 1) & tableMask }
            table[slot] = UInt32(id)
        }
    }

    private mutating func growBytes(minimum: Int) {
        var newCapacity = bytesCapacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        let newBytes = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBytes.copyMemory(from: bytes, byteCount: bytesUsed)
        bytes.deallocate()
        bytes = newBytes
        bytesCapacity = newCapacity
    }
}
