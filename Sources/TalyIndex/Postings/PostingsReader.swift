/// Opens cursors over the posting lists of one segment: an immutable, `Sendable` view of the mapped `.post` file
/// and, when the segment has positional fields, the `.pos` file.
public struct PostingsReader: Sendable {
    /// The verified postings file.
    public let postings: IndexFile
    /// The verified positions file, if the segment has one.
    public let positions: IndexFile?

    /// A reader over already opened (frame- and checksum-verified) files.
    public init(postings: IndexFile, positions: IndexFile?) {
        self.postings = postings
        self.positions = positions
    }

    /// A cursor on the first document of the term described by `info`.
    ///
    /// Throws ``IndexError`` when `info` points outside the file or the term's header is inconsistent; a cursor
    /// over an empty list (`documentFrequency == 0`) is exhausted from the start.
    public func cursor(for info: TermInfo) throws(IndexError) -> PostingsCursor {
        try PostingsCursor(postings: postings, positions: positions, info: info)
    }
}
