/// Cuts the best fragments of one field value around its matches and marks them.
///
/// Lengths count Unicode scalars. Fragment ends are word boundaries: the starts and ends of the analyzer's
/// tokens and of whitespace-separated words (so stop words the analyzer dropped still bound fragments, and
/// text without spaces is cut between tokens), which are never inside a UTF-8 scalar.
///
/// Choice (documented scoring): every run of consecutive matches that fits in `fragmentLength` is a
/// candidate, scored by its number of distinct matched terms, then its number of matches, then earliest
/// first. The best candidates are taken greedily, skipping those that overlap a fragment already taken,
/// up to `fragmentCount`. Each is then widened to about `fragmentLength`: from the start of its sentence when
/// that fits (a sentence starts after `.`, `!`, `?` or `…` and whitespace, or after a line break), else from a
/// word at most half the spare length before the first match; then to the last word end that fits.
/// Fragments are returned in text order, HTML-escaped (`& < > " '`) except for the tags, with the ellipsis
/// where text was cut before or after.
struct SnippetBuilder {
    /// One match: its byte range in the value and a number identifying its term.
    struct Match {
        var range: Range<Int>
        var term: Int
    }

    private let bytes: [UInt8]
    private let options: HighlightOptions
    /// The byte offset of every scalar's first byte, then the value's length.
    private let scalarStarts: [Int]
    /// Byte offsets where a word starts, ascending, without duplicates.
    private let wordStarts: [Int]
    /// Byte offsets where a word ends, ascending, without duplicates.
    private let wordEnds: [Int]
    /// Byte offsets where a sentence starts, ascending.
    private let sentenceStarts: [Int]

    init(text: String, tokens: TokenBuffer, options: HighlightOptions) {
        bytes = Array(text.utf8)
        self.options = options
        var scalarStarts: [Int] = []
        var wordStarts: [Int] = []
        var wordEnds: [Int] = []
        var sentenceStarts: [Int] = []
        var inWord = false
        var sentenceEnded = true
        var offset = 0
        for scalar in text.unicodeScalars {
            scalarStarts.append(offset)
            if scalar.properties.isWhitespace {
                if inWord { wordEnds.append(offset) }
                inWord = false
                if scalar == "\n" || scalar == "\r" || scalar == "\u{2029}" { sentenceEnded = true }
            } else {
                if !inWord {
                    wordStarts.append(offset)
                    if sentenceEnded { sentenceStarts.append(offset) }
                    sentenceEnded = false
                }
                inWord = true
                sentenceEnded = false
                if scalar == "." || scalar == "!" || scalar == "?" || scalar == "…" { sentenceEnded = true }
            }
            offset += UTF8.width(scalar)
        }
        if inWord { wordEnds.append(offset) }
        scalarStarts.append(offset)
        for token in tokens {
            wordStarts.append(Int(token.startOffset))
            wordEnds.append(Int(token.endOffset))
        }
        self.scalarStarts = scalarStarts
        self.wordStarts = Array(Set(wordStarts)).sorted()
        self.wordEnds = Array(Set(wordEnds)).sorted()
        self.sentenceStarts = sentenceStarts
    }

    /// The snippets of the value with `matches` (in text order, not overlapping).
    func snippets(_ matches: [Match]) -> [String] {
        guard !matches.isEmpty else {
            guard options.noMatch == .leadingText, let start = wordStarts.first, let firstEnd = wordEnds.first
            else { return [] }
            return [render(start..<extendEnd(from: start, atLeast: firstEnd, limit: bytes.count), matches: [])]
        }
        var taken: [Range<Int>] = []
        for candidate in candidates(matches) {
            if taken.count == options.fragmentCount { break }
            let core = matches[candidate.first].range.lowerBound..<matches[candidate.last].range.upperBound
            guard !taken.contains(where: { $0.overlaps(core) }) else { continue }
            let left = taken.filter { $0.upperBound <= core.lowerBound }.map(\.upperBound).max() ?? 0
            let right = taken.filter { $0.lowerBound >= core.upperBound }.map(\.lowerBound).min() ?? bytes.count
            taken.append(widen(core, left: left, right: right))
        }
        return taken.sorted { $0.lowerBound < $1.lowerBound }.map { fragment in
            render(fragment, matches: matches.filter { fragment.contains($0.range.lowerBound) })
        }
    }

    /// Runs of matches `first...last` fitting in the fragment length, best first.
    private func candidates(_ matches: [Match]) -> [(first: Int, last: Int, distinct: Int)] {
        var result: [(first: Int, last: Int, distinct: Int)] = []
        var counts: [Int: Int] = [:]
        var last = -1
        for first in matches.indices {
            if last < first {
                last = first
                counts[matches[first].term, default: 0] += 1
            }
            while last + 1 < matches.count
                && scalars(matches[first].range.lowerBound..<matches[last + 1].range.upperBound)
                    <= options.fragmentLength
            {
                last += 1
                counts[matches[last].term, default: 0] += 1
            }
            result.append((first, last, counts.count))
            counts[matches[first].term]! -= 1
            if counts[matches[first].term] == 0 { counts[matches[first].term] = nil }
        }
        return result.sorted { a, b in
            if a.distinct != b.distinct { return a.distinct > b.distinct }
            if a.last - a.first != b.last - b.first { return a.last - a.first > b.last - b.first }
            return a.first < b.first
        }
    }

    /// `core` widened to about the fragment length within `left..<right` (see the type's comment).
    private func widen(_ core: Range<Int>, left: Int, right: Int) -> Range<Int> {
        let spare = max(0, options.fragmentLength - scalars(core))
        var start = core.lowerBound
        if let sentence = last(in: sentenceStarts, atMost: core.lowerBound), sentence >= left,
            scalars(sentence..<core.lowerBound) <= spare
        {
            start = sentence
        } else {
            // The first word start that leaves at most half the spare length before the match.
            var low = 0
            var high = wordStarts.count
            while low < high {
                let middle = (low + high) / 2
                let candidate = wordStarts[middle]
                if candidate < left || scalars(from: candidate, to: core.lowerBound) > spare / 2 {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            if low < wordStarts.count && wordStarts[low] < core.lowerBound { start = wordStarts[low] }
        }
        return start..<extendEnd(from: start, atLeast: core.upperBound, limit: right)
    }

    /// The last word end at or after `atLeast`, at most `limit`, within the fragment length from `start`
    /// (`atLeast` itself when none fits).
    private func extendEnd(from start: Int, atLeast: Int, limit: Int) -> Int {
        var low = 0
        var high = wordEnds.count
        while low < high {
            let middle = (low + high) / 2
            if wordEnds[middle] <= limit && scalars(from: start, to: wordEnds[middle]) <= options.fragmentLength {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low > 0 ? max(wordEnds[low - 1], atLeast) : atLeast
    }

    /// The last element of sorted `values` at most `bound`.
    private func last(in values: [Int], atMost bound: Int) -> Int? {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] <= bound { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? values[low - 1] : nil
    }

    /// The number of scalars in the byte range `range` (whose ends are scalar boundaries).
    private func scalars(_ range: Range<Int>) -> Int { scalars(from: range.lowerBound, to: range.upperBound) }

    /// The number of scalars from byte offset `start` to `end` (negative when `end` is before `start`).
    private func scalars(from start: Int, to end: Int) -> Int { scalarIndex(end) - scalarIndex(start) }

    private func scalarIndex(_ offset: Int) -> Int {
        var low = 0
        var high = scalarStarts.count
        while low < high {
            let middle = (low + high) / 2
            if scalarStarts[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The fragment's text escaped, `matches` (inside it, in order) between the tags, ellipses where cut.
    private func render(_ fragment: Range<Int>, matches: [Match]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(fragment.count + matches.count * 16 + 8)
        if let first = wordStarts.first, fragment.lowerBound > first {
            output.append(contentsOf: options.ellipsis.utf8)
        }
        var cursor = fragment.lowerBound
        for match in matches {
            Self.escape(bytes[cursor..<match.range.lowerBound], into: &output)
            output.append(contentsOf: options.preTag.utf8)
            Self.escape(bytes[match.range], into: &output)
            output.append(contentsOf: options.postTag.utf8)
            cursor = match.range.upperBound
        }
        Self.escape(bytes[cursor..<fragment.upperBound], into: &output)
        if let end = wordEnds.last, fragment.upperBound < end { output.append(contentsOf: options.ellipsis.utf8) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `text` with `& < > " '` as HTML character references.
    static func escape(_ text: ArraySlice<UInt8>, into output: inout [UInt8]) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): output.append(contentsOf: "&#39;".utf8)
            default: output.append(byte)
            }
        }
    }
}
