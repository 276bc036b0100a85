/// One competitive (term frequency, field-length norm) pair of a posting block or list.
///
/// A pair, not a score, is stored so the similarity can change at query time (Lucene `Impact`, LUCENE-4198;
/// Grand et al., ECIR 2020, "From MAXSCORE to Block-Max WAND"). A larger norm byte is a longer field, so for
/// BM25 a higher frequency and a smaller norm both mean a higher score.
public struct Impact: Hashable, Sendable, CustomStringConvertible {
    /// The term frequency in the document (at least 1).
    public var frequency: UInt32
    /// The document's SmallFloat-quantized field length: larger is longer.
    public var norm: UInt8

    /// A pair from its parts.
    public init(frequency: UInt32, norm: UInt8) {
        self.frequency = frequency
        self.norm = norm
    }

    /// True when a document with this pair scores at least as high as one with `other` under any similarity that
    /// grows with frequency and shrinks with field length.
    public func dominates(_ other: Impact) -> Bool { frequency >= other.frequency && norm <= other.norm }

    /// `(frequency, norm)`.
    public var description: String { "(\(frequency), \(norm))" }
}

/// The competitive impacts of a block or a whole posting list: a Pareto frontier of at most eight pairs, sorted by
/// increasing frequency and increasing norm, such that every posting in the range is dominated by some pair.
///
/// Stored as two SIMD lanes (eight frequencies, eight norms) so the list is a 48-byte value with no heap storage and
/// a scorer can bound a block's score with vector arithmetic. Lucene keeps every frontier pair
/// (`CompetitiveImpactAccumulator`); Taly caps the list at ``capacity`` by merging neighbours into a pair that
/// dominates both, which keeps every score bound safe (see ``PostingsWriter``).
public struct ImpactList: RandomAccessCollection, Hashable, Sendable, CustomStringConvertible {
    /// The most pairs a list holds.
    public static let capacity = 8
    /// The most bytes an encoded list takes: eight pairs of a 5-byte varint and a norm byte.
    static let maxEncodedByteCount = capacity * 6

    /// Frequencies of the pairs; lanes at and past `count` are zero.
    public private(set) var frequencies: SIMD8<UInt32>
    /// Norms of the pairs; lanes at and past `count` are zero.
    public private(set) var norms: SIMD8<UInt8>
    /// The number of pairs.
    public private(set) var count: Int

    /// The empty list: no posting can score (a range past the end of the list).
    public init() {
        frequencies = SIMD8()
        norms = SIMD8()
        count = 0
    }

    /// A list from pairs that already form a frontier (strictly increasing frequencies and norms).
    public init(_ impacts: some Sequence<Impact>) {
        self.init()
        for impact in impacts {
            append(impact)
        }
    }

    /// The first index.
    public var startIndex: Int { 0 }
    /// One past the last index.
    public var endIndex: Int { count }

    /// The pair at `position`.
    public subscript(position: Int) -> Impact {
        precondition(position >= 0 && position < count, "impact index \(position) outside 0..<\(count)")
        return Impact(frequency: frequencies[position], norm: norms[position])
    }

    /// True when some pair dominates `impact`: the list is a valid upper bound for that posting.
    public func bounds(_ impact: Impact) -> Bool { contains { $0.dominates(impact) } }

    /// The list as `[(f, n), …]`.
    public var description: String { "[" + map(\.description).joined(separator: ", ") + "]" }

    mutating func append(_ impact: Impact) {
        precondition(count < Self.capacity, "an impact list holds at most \(Self.capacity) pairs")
        frequencies[count] = impact.frequency
        norms[count] = impact.norm
        count &+= 1
    }
}

extension ImpactList {
    /// Encoding: per pair, the frequency (the first) or its increase over the previous pair (the others) as a
    /// LEB128 varint, then the norm byte. The pair count is implied by the byte length stored before the list.
    func encode(into bytes: inout [UInt8]) {
        var previous: UInt32 = 0
        for impact in self {
            VByte.append(impact.frequency &- previous, to: &bytes)
            bytes.append(impact.norm)
            previous = impact.frequency
        }
    }

    /// Decodes `length` bytes at `offset`, returning nil unless they hold 1 to 8 well-formed pairs with strictly
    /// increasing frequencies (the first at least 1) and strictly increasing norms.
    static func decode(_ bytes: UnsafeRawBufferPointer, offset: Int, length: Int) -> ImpactList? {
        guard var reader = EncodedImpacts(bytes, offset: offset, length: length) else { return nil }
        var list = ImpactList()
        while let impact = reader.next() { list.append(impact) }
        return reader.isMalformed ? nil : list
    }
}

/// Reads an encoded ``ImpactList`` pair by pair with the checks of ``ImpactList/decode(_:offset:length:)``: the one
/// parser of the encoding, for `decode` and for block bounds computed straight from the bytes (building the list
/// first, lane by lane, was a quarter of a frequent term's top-k, which bounds every block it passes).
struct EncodedImpacts {
    private let section: UnsafeRawBufferPointer
    private var position = 0
    private var pairs = 0
    private var frequency: UInt32 = 0
    private var previousNorm = -1
    /// True once ``next()`` met a malformed pair; the pairs before it are not a list.
    private(set) var isMalformed = false

    /// A reader of the `length` bytes at `offset`, or nil when the range is empty or leaves `bytes`.
    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer, offset: Int, length: Int) {
        guard length > 0, offset >= 0, length <= bytes.count &- offset else { return nil }
        section = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset &+ length])
    }

    /// The next pair, or nil at the end of the bytes or at a malformed pair (then ``isMalformed`` is set).
    @inline(__always)
    mutating func next() -> Impact? {
        if position >= section.count { return nil }
        var delta = UInt32(section[position])
        if delta < 0x80 {
            position &+= 1  // the common one-byte increase, without the general decoder's call
        } else {
            guard let decoded = try? VByte.decode(from: section, at: &position) else { return malformed() }
            delta = decoded
        }
        guard pairs < ImpactList.capacity, delta > 0, frequency <= UInt32.max &- delta, position < section.count
        else { return malformed() }
        frequency &+= delta
        let norm = section[position]
        position &+= 1
        if Int(norm) <= previousNorm { return malformed() }
        previousNorm = Int(norm)
        pairs &+= 1
        return Impact(frequency: frequency, norm: norm)
    }

    private mutating func malformed() -> Impact? {
        isMalformed = true
        position = section.count
        return nil
    }
}
