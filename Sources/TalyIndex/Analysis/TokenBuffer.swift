/// The tokens of one analyzed field value, without a `String` per token: every term is a slice of
/// one contiguous, reusable byte arena, described by an ``AnalyzedToken``.
///
/// Terms do not have to be back to back: the ASCII fast path keeps the whole folded value in the
/// arena and points each term at its own bytes. Read terms through their ``AnalyzedToken/termRange``.
///
/// Analyzers replace the buffer's contents on each call; ``reset()`` keeps the capacity, so a
/// buffer reused across documents stops allocating once it has seen the largest one.
public struct TokenBuffer: Sendable {
    /// The token records, in source order.
    public private(set) var tokens: [AnalyzedToken] = []
    /// The arena holding every term's bytes; tokens point into it.
    public private(set) var termBytes: [UInt8] = []
    /// Scratch space of the ASCII fast path, kept for reuse: bit masks (one bit per input byte)
    /// and token records (one per word segment); both only grow.
    private var wordMasks: [UInt64] = []
    private var recordScratch: [AnalyzedToken] = []

    /// Creates an empty buffer.
    public init() {}

    /// Creates an empty buffer with room for `tokenCapacity` tokens and `termByteCapacity` bytes.
    public init(tokenCapacity: Int, termByteCapacity: Int) {
        tokens.reserveCapacity(tokenCapacity)
        termBytes.reserveCapacity(termByteCapacity)
    }

    /// Removes every token and term byte, keeping the allocated capacity.
    public mutating func reset() {
        tokens.removeAll(keepingCapacity: true)
        termBytes.removeAll(keepingCapacity: true)
    }

    /// Appends a token whose term is `term` (copied into the arena).
    public mutating func append(term: UnsafeRawBufferPointer, position: UInt32, startOffset: UInt32, endOffset: UInt32)
    {
        precondition(startOffset <= endOffset, "token ends before it starts")
        let termStart = UInt32(termBytes.count)
        termBytes.append(contentsOf: term)
        tokens.append(
            AnalyzedToken(
                termStart: termStart, termLength: UInt32(term.count), position: position,
                startOffset: startOffset, endOffset: endOffset))
    }

    /// Calls `body` with the bytes of `token`'s term; the pointer is valid only inside `body`.
    public func withTermBytes<Result, Failure: Error>(
        of token: AnalyzedToken, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(token.termRange.upperBound <= termBytes.count, "token does not belong to this buffer")
        // `withUnsafeBytes` is rethrows, which erases the typed error: carry it out in a Result.
        let outcome: Swift.Result<Result, Failure> = termBytes.withUnsafeBytes { arena in
            Swift.Result { () throws(Failure) -> Result in
                try body(UnsafeRawBufferPointer(rebasing: arena[token.termRange]))
            }
        }
        return try outcome.get()
    }

    /// The term of the token at `index` as a `String` (allocates: for tests, debugging and display).
    public func term(at index: Int) -> String {
        String(decoding: termBytes[tokens[index].termRange], as: UTF8.self)
    }

    /// Every term as a `String`, in order (allocates: for tests and debugging).
    public var terms: [String] { tokens.indices.map { term(at: $0) } }

    // MARK: - Analyzer internals

    /// Moves the arena out so a tokenizer can write through a pointer while appending token
    /// records, which would otherwise be overlapping accesses to `self`.
    mutating func takeTermBytes() -> [UInt8] {
        var arena: [UInt8] = []
        swap(&arena, &termBytes)
        return arena
    }

    /// Puts back an arena taken with ``takeTermBytes()``.
    mutating func restoreTermBytes(_ arena: consuming [UInt8]) {
        termBytes = arena
    }

    /// Moves the token records out so a tokenizer can write them through a pointer.
    mutating func takeRecords() -> [AnalyzedToken] {
        var records: [AnalyzedToken] = []
        swap(&records, &tokens)
        return records
    }

    /// Puts back records taken with ``takeRecords()``.
    mutating func restoreRecords(_ records: consuming [AnalyzedToken]) {
        tokens = records
    }

    /// Moves the ASCII fast path's scratch arrays out (empty the first time).
    mutating func takeScratch() -> (masks: [UInt64], records: [AnalyzedToken]) {
        var masks: [UInt64] = []
        var records: [AnalyzedToken] = []
        swap(&masks, &wordMasks)
        swap(&records, &recordScratch)
        return (masks, records)
    }

    /// Puts back scratch arrays taken with ``takeScratch()``.
    mutating func restoreScratch(_ masks: consuming [UInt64], _ records: consuming [AnalyzedToken]) {
        wordMasks = masks
        recordScratch = records
    }

    /// Appends a token record whose term the caller already wrote into the arena.
    mutating func appendRecord(_ token: AnalyzedToken) {
        tokens.append(token)
    }

    /// Rewrites every term through `rewrite`, which appends the new term to its `inout` arena and
    /// returns true, or returns false to drop the token. Positions and offsets are untouched, so
    /// a dropped token leaves a position gap (as Lucene's filters with position increments do).
    ///
    /// `scratch` is a second arena that is swapped with the current one: terms are rewritten
    /// without allocating once both arenas are warm.
    mutating func rewriteTerms<Failure: Error>(
        scratch: inout [UInt8],
        _ rewrite: (UnsafeRawBufferPointer, inout [UInt8]) throws(Failure) -> Bool
    ) throws(Failure) {
        scratch.removeAll(keepingCapacity: true)
        let source = takeTermBytes()
        defer {
            termBytes = scratch
            scratch = source
        }
        var kept = 0
        // `withUnsafeBytes` is rethrows, which erases the typed error: carry it out in a Result.
        let outcome: Swift.Result<Void, Failure> = source.withUnsafeBytes { arena in
            Swift.Result { () throws(Failure) in
                for index in tokens.indices {
                    var token = tokens[index]
                    let before = scratch.count
                    let term = UnsafeRawBufferPointer(rebasing: arena[token.termRange])
                    guard try rewrite(term, &scratch) else {
                        scratch.removeSubrange(before...)
                        continue
                    }
                    token.termStart = UInt32(before)
                    token.termLength = UInt32(scratch.count - before)
                    tokens[kept] = token
                    kept += 1
                }
            }
        }
        tokens.removeSubrange(kept...)
        try outcome.get()
    }
}

extension TokenBuffer: RandomAccessCollection {
    /// The index of the first token.
    public var startIndex: Int { tokens.startIndex }
    /// One past the index of the last token.
    public var endIndex: Int { tokens.endIndex }
    /// The token at `position` (an index into ``tokens``, not a token position).
    public subscript(position: Int) -> AnalyzedToken { tokens[position] }
}
