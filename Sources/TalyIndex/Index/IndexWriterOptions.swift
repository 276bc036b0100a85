/// How an ``IndexWriter`` uses memory, threads and disk.
public struct IndexWriterOptions: Sendable, Hashable {
    /// RAM the buffered documents may use before they are flushed as segments (default 256 MiB).
    /// The buffers keep their capacity from one segment to the next, so a writer holds up to
    /// about twice this at its peak.
    public var ramBudgetBytes: Int
    /// Threads that analyze and invert documents, each filling its own segment (default 1).
    public var indexingThreads: Int
    /// Which segments to merge.
    public var mergePolicy: MergePolicy
    /// Whether merges run on a background thread after flushes and commits (default true);
    /// when false they run only through ``IndexWriter/runMerges()``.
    public var mergesInBackground: Bool
    /// zstd level of stored-document blocks (default 3).
    public var storedCompressionLevel: Int32

    /// The defaults.
    public init(
        ramBudgetBytes: Int = 256 << 20,
        indexingThreads: Int = 1,
        mergePolicy: MergePolicy = .default,
        mergesInBackground: Bool = true,
        storedCompressionLevel: Int32 = 3
    ) {
        precondition(ramBudgetBytes >= 1 << 20, "the RAM budget must be at least 1 MiB")
        precondition(indexingThreads >= 1, "at least one indexing thread")
        self.ramBudgetBytes = ramBudgetBytes
        self.indexingThreads = indexingThreads
        self.mergePolicy = mergePolicy
        self.mergesInBackground = mergesInBackground
        self.storedCompressionLevel = storedCompressionLevel
    }
}
