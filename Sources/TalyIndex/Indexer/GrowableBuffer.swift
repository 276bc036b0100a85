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

/// One ``GrowableBuffer`` per field number: a segment builder's per-document values of every
/// field (lengths, keyword offsets and term ids, numbers). An `[[T]]` checked the uniqueness of
/// the outer and the inner array on every append, for every field of every document.
struct FieldBuffers<Element: BitwiseCopyable>: ~Copyable {
    private let buffers: UnsafeMutablePointer<GrowableBuffer<Element>>
    let fieldCount: Int

    /// `fieldCount` empty buffers; the fields `used` says hold values start larger.
    init(fieldCount: Int, used: (Int) -> Bool) {
        self.fieldCount = fieldCount
        buffers = UnsafeMutablePointer<GrowableBuffer<Element>>.allocate(capacity: max(fieldCount, 1))
        for number in 0..<fieldCount {
            (buffers + number).initialize(to: GrowableBuffer(capacity: used(number) ? 1024 : 16))
        }
    }

    deinit {
        buffers.deinitialize(count: fieldCount)
        buffers.deallocate()
    }

    /// Appends `element` to field `number`'s buffer.
    @inline(__always)
    func append(_ element: Element, field number: Int) { buffers[number].append(element) }

    /// The number of values of field `number`.
    @inline(__always)
    func count(field number: Int) -> Int { buffers[number].count }

    /// Value `index` of field `number`.
    @inline(__always)
    subscript(field number: Int, index: Int) -> Element { buffers[number][index] }

    /// A copy of field `number`'s values (a flush reads each field once or twice).
    func values(field number: Int) -> [Element] {
        Array(UnsafeBufferPointer(start: buffers[number].base, count: buffers[number].count))
    }

    /// Bytes holding values, over every field.
    var usedBytes: Int {
        var total = 0
        for number in 0..<fieldCount { total += buffers[number].usedBytes }
        return total
    }

    /// Empties every field's buffer, keeping the memory.
    func removeAll() {
        for number in 0..<fieldCount { buffers[number].removeAll() }
    }
}
