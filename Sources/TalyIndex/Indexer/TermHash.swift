#if canImport(Glibc)
    import Glibc
#endif

/// Interns the distinct terms of one field while indexing: term bytes to dense ids 0, 1, 2, …
///
/// Open addressing with linear probing over a power-of-two table of ids; each id keeps its
/// bytes in one arena and its full 64-bit hash, so probes compare hashes before bytes and
/// rehashing never rereads terms. No allocation per lookup or per new term (amortized).
struct TermHash: ~Copyable {
    /// A slot holds the term id + 1 in its low 32 bits (0 = empty) and the high 32 bits of the
    /// term's hash, so most probes are decided without touching the term's entry.
    private var table: UnsafeMutablePointer<UInt64>
    private var tableMask: Int
    private var bytes: UnsafeMutableRawPointer
    private var bytesCapacity: Int
    private var bytesUsed = 0
    private var entries = GrowableBuffer<Entry>()

    private struct Entry {
        var start: UInt32
        var length: UInt32
    }

    init(initialTableSize: Int = 1 << 12) {
        precondition(initialTableSize > 0 && initialTableSize & (initialTableSize - 1) == 0)
        table = UnsafeMutablePointer<UInt64>.allocate(capacity: initialTableSize)
        table.initialize(repeating: 0, count: initialTableSize)
        tableMask = initialTableSize - 1
        bytesCapacity = 1 << 16
        bytes = UnsafeMutableRawPointer.allocate(byteCount: bytesCapacity, alignment: 8)
    }

    deinit {
        table.deallocate()
        bytes.deallocate()
    }

    /// Number of distinct terms.
    var count: Int { entries.count }

    /// Bytes reserved.
    var reservedBytes: Int { (tableMask + 1) * 8 + bytesCapacity + entries.reservedBytes }

    /// Bytes the terms since the last reset use (the table counted at its load limit, two slots
    /// per term), for the RAM budget.
    var usedBytes: Int { entries.count * 16 + bytesUsed + entries.usedBytes }

    /// The id of `term`, adding it when new; `isNew` tells which.
    @inline(__always)
    mutating func intern(_ term: UnsafeRawBufferPointer) -> (id: UInt32, isNew: Bool) {
        let hash = Self.hash(term)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & tableMask
        while true {
            let value = table[slot]
            if value == 0 { break }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let id = UInt32(truncatingIfNeeded: value) &- 1
                if equals(Int(id), term) { return (id, false) }
            }
            slot = (slot + 1) & tableMask
        }
        precondition(bytesUsed + term.count <= Int(UInt32.max), "the term arena exceeds 4 GiB: flush earlier")
        let id = UInt32(entries.count)
        if bytesUsed + term.count > bytesCapacity { growBytes(minimum: bytesUsed + term.count) }
        if term.count > 0 { (bytes + bytesUsed).copyMemory(from: term.baseAddress!, byteCount: term.count) }
        entries.append(Entry(start: UInt32(bytesUsed), length: UInt32(term.count)))
        bytesUsed += term.count
        table[slot] = tag | UInt64(id + 1)
        // Keep the load factor under 1/2 so probe runs stay short.
        if entries.count * 2 > tableMask + 1 { growTable() }
        return (id, true)
    }

    /// The id of `term` when it is known.
    func lookup(_ term: UnsafeRawBufferPointer) -> UInt32? {
        let hash = Self.hash(term)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & tableMask
        while true {
            let value = table[slot]
            if value == 0 { return nil }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let id = UInt32(truncatingIfNeeded: value) &- 1
                if equals(Int(id), term) { return id }
            }
            slot = (slot + 1) & tableMask
        }
    }

    /// The bytes of term `id`; valid until the next `intern`.
    @inline(__always)
    func term(_ id: Int) -> UnsafeRawBufferPointer {
        let entry = entries[id]
        return UnsafeRawBufferPointer(start: bytes + Int(entry.start), count: Int(entry.length))
    }

    /// Term ids ordered by their bytes (unsigned lexicographic), the order of the dictionary.
    func sortedIDs() -> [UInt32] {
        // Most comparisons are decided by the first eight bytes: compared as one big-endian
        // integer (zero-padded, so a tie still needs the bytes), they skip memcmp and the
        // two entry lookups per comparison.
        var keyed: [(prefix: UInt64, id: UInt32)] = []
        keyed.reserveCapacity(count)
        for id in 0..<count { keyed.append((Self.orderPrefix(term(id)), UInt32(id))) }
        keyed.sort { a, b in
            a.prefix != b.prefix ? a.prefix < b.prefix : Self.less(term(Int(a.id)), term(Int(b.id)))
        }
        return keyed.map(\.id)
    }

    /// The first eight bytes of `term` as a big-endian integer, zero-padded: comparing two of
    /// them orders the terms as ``less(_:_:)`` does, except that equal prefixes decide nothing.
    @inline(__always)
    static func orderPrefix(_ term: UnsafeRawBufferPointer) -> UInt64 {
        var prefix: UInt64 = 0
        for index in 0..<8 {
            prefix <<= 8
            if index < term.count { prefix |= UInt64(term[index]) }
        }
        return prefix
    }

    /// Forgets every term, keeping memory.
    mutating func reset() {
        table.update(repeating: 0, count: tableMask + 1)
        bytesUsed = 0
        entries.removeAll()
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
        let entry = entries[id]
        guard Int(entry.length) == term.count else { return false }
        return term.count == 0 || memcmp(bytes + Int(entry.start), term.baseAddress!, term.count) == 0
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
        let oldTable = table
        let oldSize = tableMask + 1
        let newSize = oldSize * 2
        table = UnsafeMutablePointer<UInt64>.allocate(capacity: newSize)
        table.initialize(repeating: 0, count: newSize)
        tableMask = newSize - 1
        for oldSlot in 0..<oldSize where oldTable[oldSlot] != 0 {
            let value = oldTable[oldSlot]
            let id = Int(UInt32(truncatingIfNeeded: value) &- 1)
            // The slot needs the low hash bits, which only the term itself still has.
            var slot = Int(truncatingIfNeeded: Self.hash(term(id))) & tableMask
            while table[slot] != 0 { slot = (slot + 1) & tableMask }
            table[slot] = value
        }
        oldTable.deallocate()
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
