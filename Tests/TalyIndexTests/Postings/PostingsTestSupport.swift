import TalyTestSupport

@testable import TalyIndex

/// One posting of a test list: the oracle the cursors are compared with.
struct TestPosting: Equatable {
    var doc: UInt32
    var frequency: UInt32
    var norm: UInt8
    var positions: [UInt32]
}

/// How far apart the docs of a random list are.
enum GapKind: String, CaseIterable, CustomStringConvertible {
    /// Every doc: gap 1.
    case dense
    /// Gaps up to a few hundred.
    case mixed
    /// Huge gaps, the whole id space up to `UInt32.max - 2`.
    case sparse

    var description: String { rawValue }
}

/// Random postings: `count` docs with gaps of `gaps`, frequencies mostly small with rare big ones, positions and
/// norms; ids stay below `PostingsCursor.exhausted`.
func randomPostings(count: Int, gaps: GapKind, positions: Bool, using random: inout SplitMix64) -> [TestPosting] {
    var postings: [TestPosting] = []
    postings.reserveCapacity(count)
    let limit = UInt64(UInt32.max - 2)
    var doc = UInt64.random(in: 0...(gaps == .sparse ? 1000 : 3), using: &random)
    for index in 0..<count {
        if index > 0 {
            let gap: UInt64
            switch gaps {
            case .dense: gap = 1
            case .mixed: gap = UInt64.random(in: 1...(Bool.random(using: &random) ? 3 : 400), using: &random)
            case .sparse:
                let room = (limit - doc) / UInt64(count - index)
                gap = UInt64.random(in: 1...max(1, room * 2 - 1), using: &random)
            }
            doc = min(doc + gap, limit - UInt64(count - index))
        }
        let roll = UInt32.random(in: 0..<100, using: &random)
        let frequency: UInt32 =
            roll < 60
            ? 1
            : roll < 95
                ? UInt32.random(in: 2...8, using: &random)
                : roll < 99 ? UInt32.random(in: 9...300, using: &random) : UInt32.random(in: 301...5000, using: &random)
        var docPositions: [UInt32] = []
        if positions {
            var position = UInt32.random(in: 0...20, using: &random)
            for _ in 0..<frequency {
                docPositions.append(position)
                position &+= UInt32.random(in: 0...(Bool.random(using: &random) ? 5 : 70_000), using: &random)
            }
        }
        postings.append(
            TestPosting(
                doc: UInt32(doc), frequency: frequency, norm: UInt8.random(in: 0...255, using: &random),
                positions: docPositions))
    }
    for index in 1..<max(1, postings.count) where postings.count > 1 {
        precondition(postings[index].doc > postings[index - 1].doc)
    }
    return postings
}

/// A written pair of `.post`/`.pos` files with the term infos, in a temporary directory.
struct WrittenPostings {
    let directory: TemporaryDirectory
    let postingsPath: String
    let positionsPath: String?
    let segment: SegmentID
    let infos: [TermInfo]

    /// Opens the files and a reader.
    func reader() throws -> PostingsReader {
        let postings = try IndexFile(path: postingsPath, kind: .postings, segment: segment)
        let positions = try positionsPath.map { try IndexFile(path: $0, kind: .positions, segment: segment) }
        return PostingsReader(postings: postings, positions: positions)
    }
}

/// Writes `terms` (each with or without positions) into fresh files.
func writePostings(_ terms: [(postings: [TestPosting], positions: Bool)], positionsFile: Bool = true) throws
    -> WrittenPostings
{
    let directory = try TemporaryDirectory()
    let segment = SegmentID(high: 0xABCD, low: 0x1234)
    let postingsPath = directory.path("s.post")
    let positionsPath = positionsFile ? directory.path("s.pos") : nil
    let writer = try PostingsWriter(postingsPath: postingsPath, positionsPath: positionsPath, segment: segment)
    var infos: [TermInfo] = []
    for term in terms {
        writer.startTerm(withPositions: term.positions)
        for posting in term.postings {
            if term.positions {
                posting.positions.withUnsafeBufferPointer { positions in
                    writer.add(doc: posting.doc, frequency: posting.frequency, norm: posting.norm, positions: positions)
                }
            } else {
                writer.add(doc: posting.doc, frequency: posting.frequency, norm: posting.norm, positions: nil)
            }
        }
        infos.append(writer.finishTerm())
    }
    try writer.finish(sync: false)
    return WrittenPostings(
        directory: directory, postingsPath: postingsPath, positionsPath: positionsPath, segment: segment, infos: infos)
}

/// The exact Pareto frontier of `postings`' (frequency, norm) pairs, by increasing norm.
func exactFrontier(_ postings: some Sequence<TestPosting>) -> [Impact] {
    var best = [UInt32](repeating: 0, count: 256)
    for posting in postings {
        best[Int(posting.norm)] = max(best[Int(posting.norm)], posting.frequency)
    }
    var frontier: [Impact] = []
    var highest: UInt32 = 0
    for norm in 0..<256 where best[norm] > highest {
        highest = best[norm]
        frontier.append(Impact(frequency: best[norm], norm: UInt8(norm)))
    }
    return frontier
}
