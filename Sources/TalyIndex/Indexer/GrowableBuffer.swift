/// A growable array of trivial values in manually managed memory, for per-term state touched on
/// every token: no copy-on-write uniqueness checks and no retain/release per access, which a
/// Swift `Array` costs in these loops (measured ~10% of indexing time).
struct GrowableBuffer<Element: BitwiseCopyable>: ~Copyable {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Bytes reserved.
    var reservedBytes: Int { capacity * MemoryLayout<Element>.stride }

    /// Bytes holding elements.
    var usedBytes: Int { count * MemoryLayout<Element>.stride }

    @inline(__always)
    subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating _modify { yield &base[index] }
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Forgets every element, keeping the memory.
    mutating func removeAll() { count = 0 }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
