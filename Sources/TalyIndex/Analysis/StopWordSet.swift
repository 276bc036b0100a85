/// A set of stop words looked up by the bytes of a folded term, without building a `String`.
///
/// Words are compared byte for byte with terms *after* case folding, so give them folded
/// (lowercase) as the default list is.
public struct StopWordSet: Sendable {
    /// Lucene's default English stop words (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`).
    public static let english = StopWordSet([
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",
    ])

    /// A set with no words: nothing is removed.
    public static let none = StopWordSet([])

    /// Every word's bytes, back to back.
    private var bytes: [UInt8] = []
    /// Word i occupies `bytes[bounds[i]..<bounds[i + 1]]`.
    private var bounds: [Int] = [0]
    /// Open addressing by FNV-1a hash: slot holds a word index + 1, or 0 when empty.
    private var slots: [Int32]

    /// Creates a set of `words` (duplicates are ignored).
    public init(_ words: some Sequence<String>) {
        let unique = Set(words)
        // A load factor of at most 1/2 keeps probe sequences short.
        var capacity = 8
        while capacity < unique.count * 2 { capacity *= 2 }
        slots = [Int32](repeating: 0, count: capacity)
        for word in unique.sorted() {
            bytes.append(contentsOf: word.utf8)
            bounds.append(bytes.count)
            let index = bounds.count - 2
            var slot = Self.hash(Array(word.utf8)) & (capacity - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int32(index + 1)
        }
    }

    /// The number of words.
    public var count: Int { bounds.count - 1 }

    /// Whether `term` (UTF-8 bytes) is one of the words.
    public func contains(_ term: UnsafeRawBufferPointer) -> Bool {
        let mask = slots.count - 1
        var slot = Self.hash(term) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            let word = bytes[bounds[index]..<bounds[index + 1]]
            if word.count == term.count && word.elementsEqual(term) { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    /// Whether `word` is one of the words.
    public func contains(_ word: String) -> Bool {
        Array(word.utf8).withUnsafeBytes { contains($0) }
    }

    private static func hash(_ bytes: some Sequence<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash >> 1)
    }
}
