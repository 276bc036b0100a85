import TalyTestSupport
import Testing

@testable import TalyIndex

/// Sorted searches and search-after paging against a brute-force sort of the documents the test wrote.
@Suite("sorting by columns and paging with search-after cursors", .serialized)
struct SortTests {
    /// The value of `document` for `key` as the oracle sees it: keyword bytes, a number, or nil.
    enum OracleValue {
        case bytes([UInt8])
        case number(Double)
        case integer(Int64)
    }

    static func oracleValue(_ document: Document, _ key: SortKey, score: Float) -> OracleValue? {
        guard case .field(let field) = key.target else { return .number(Double(score)) }
        switch document[field] {
        case .keyword(let values)?:
            let bytes = values.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            guard let chosen = key.order == .ascending ? bytes.first : bytes.last else { return nil }
            return .bytes(chosen)
        case .int64(let value)?: return .integer(value)
        case .date(let milliseconds)?: return .integer(milliseconds)
        case .double(let value)?: return .number(value)
        default: return nil
        }
    }

    static func ascending(_ a: OracleValue, _ b: OracleValue) -> Int {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x > y ? 1 : 0 }
        switch (a, b) {
        case (.bytes(let x), .bytes(let y)): return x == y ? 0 : x.lexicographicallyPrecedes(y) ? -1 : 1
        case (.integer(let x), .integer(let y)): return sign(x, y)
        // -0.0 sorts below +0.0, as the column stores them (Lucene's sortable bits).
        case (.number(let x), .number(let y)):
            return x == y ? sign(x.sign == .minus ? 0 : 1, y.sign == .minus ? 0 : 1) : sign(x, y)
        default: preconditionFailure("one key, one kind")
        }
    }

    /// The live documents accepted by `filter` (and containing `word` when given), sorted by `sort`
    /// then id, computed without the index (scores come from the exhaustive, unsorted search).
    static func expectedOrder(
        _ live: [Document], sort: [SortKey], filter: Filter?, word: String?, scores: [String: Float]
    ) -> [String] {
        let matching = live.filter { document in
            if let filter, !FilterFixtures.matches(filter, document) { return false }
            guard let word else { return true }
            guard case .text(let body)? = document["body"] else { return false }
            return body.split(separator: " ").contains { $0 == word }
        }
        let keyed = matching.map { document in
            let id = FilterFixtures.id(of: document)
            return (id: id, values: sort.map { oracleValue(document, $0, score: scores[id] ?? 0) })
        }
        return keyed.sorted { a, b in
            for (position, key) in sort.enumerated() {
                switch (a.values[position], b.values[position]) {
                case (nil, nil): continue
                case (nil, _): return key.missing == .first
                case (_, nil): return key.missing == .last
                case (let x?, let y?):
                    let order = ascending(x, y) * (key.order == .ascending ? 1 : -1)
                    if order != 0 { return order < 0 }
                }
            }
            return Array(a.id.utf8).lexicographicallyPrecedes(Array(b.id.utf8))
        }.map(\.id)
    }

    static func randomSort(_ random: inout SplitMix64, scored: Bool) -> [SortKey] {
        let fields = ["tag", "tags", "price", "rating", "published"]
        var keys: [SortKey] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let order: SortOrder = Bool.random(using: &random) ? .ascending : .descending
            if scored && Int.random(in: 0..<4, using: &random) == 0 {
                keys.append(.score(order))
            } else {
                let missing: MissingPlacement = Bool.random(using: &random) ? .first : .last
                keys.append(.field(fields.randomElement(using: &random)!, order, missing: missing))
            }
        }
        return keys
    }

    /// Every hit of `request`, page after page of random sizes 1...7, joined; `between` runs after
    /// each page and may return a new searcher (a later commit).
    static func pageThrough(
        _ request: SearchRequest, searcher: IndexSearcher, _ random: inout SplitMix64,
        between: (Int) throws -> IndexSearcher? = { _ in nil }
    ) throws -> [String] {
        var searcher = searcher
        var request = request
        var ids: [String] = []
        for page in 0... {
            request.limit = Int.random(in: 1...7, using: &random)
            let response = try searcher.search(request)
            for hit in response.hits { ids.append(try SearchFixtures.id(of: hit, in: searcher.reader)) }
            guard let cursor = response.cursor, response.hits.count == request.limit else { break }
            request.searchAfter = cursor
            if let next = try between(page) { searcher = next }
        }
        return ids
    }

    static func scores(_ searcher: IndexSearcher, word: String?, count: Int) throws -> [String: Float] {
        guard let word else { return [:] }
        let hits = try searcher.search(.term(field: "body", text: word), limit: count + 1, strategy: .exhaustive).hits
        var scores: [String: Float] = [:]
        for hit in hits { scores[try SearchFixtures.id(of: hit, in: searcher.reader)] = hit.score }
        return scores
    }

    @Test(
        "random sorts (keyword, multi-valued, numeric, date, score, missing first/last) with filters and deletes, paged by 1...7, equal brute force"
    )
    func randomSortsPaged() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        var (batches, deletes) = FilterFixtures.corpus(&random, segments: 3, perSegment: 20...150)
        // Sparse tags too: a cursor's keyword often lies between two values of another segment's dictionary.
        for batch in batches.indices {
            for document in batches[batch].indices where Bool.random(using: &random) {
                batches[batch][document]["tag"] = .keyword(["u\(Int.random(in: 0..<300, using: &random))"])
            }
        }
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: Array(deletes))
        let live = FilterFixtures.live(batches, deletes: deletes)
        let searcher = IndexSearcher(reader: reader)
        let rounds = TestEnvironment.longTests ? 400 : 60
        for round in 0..<rounds {
            let word = Bool.random(using: &random) ? PrunedTopKTests.word(&random) : nil
            let query: Query = word.map { .term(field: "body", text: $0) } ?? .matchAll
            let filter = Int.random(in: 0..<3, using: &random) == 0 ? FilterFixtures.filter(&random) : nil
            let sort = Self.randomSort(&random, scored: word != nil)
            let expected = Self.expectedOrder(
                live, sort: sort, filter: filter, word: word,
                scores: try Self.scores(searcher, word: word, count: live.count))
            let context =
                "seed \(seed) round \(round) sort \(sort.map(\.canonical)) filter \(String(describing: filter))"
            let whole = try searcher.search(
                SearchRequest(query: query, filter: filter, limit: live.count + 1, countTotal: true, sort: sort))
            let wholeIDs = try whole.hits.map { try SearchFixtures.id(of: $0, in: reader) }
            #expect(wholeIDs == expected, "\(context): one page")
            #expect(whole.totalCount == expected.count, "\(context): total")
            let paged = try Self.pageThrough(
                SearchRequest(query: query, filter: filter, sort: sort), searcher: searcher, &random)
            #expect(paged == expected, "\(context): pages")
            if wholeIDs != expected || paged != expected { return }
        }
    }

    @Test("a cursor stays valid across a commit that adds filtered-out documents and merges every segment")
    func pagingAcrossCommitsAndMerges() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let (batches, deletes) = FilterFixtures.corpus(&random, segments: 3, perSegment: 20...80)
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: Array(deletes))
        let live = FilterFixtures.live(batches, deletes: deletes)
        // The new documents carry a tag the filter excludes, so the expected list does not change.
        let filter = Filter.notEqual(field: "tag", .string("new"))
        for round in 0..<4 {
            let sort = Self.randomSort(&random, scored: false)
            let expected = Self.expectedOrder(live, sort: sort, filter: filter, word: nil, scores: [:])
            var added = 0
            // Its own generator: the paging one is in use while the closure runs.
            var commitRandom = SplitMix64(seed: seed &+ UInt64(round) &+ 1)
            let paged = try Self.pageThrough(
                SearchRequest(filter: filter, sort: sort), searcher: IndexSearcher(reader: reader), &random
            ) { page in
                guard page % 3 == 1 else { return nil }
                let writer = try IndexWriter(
                    directory: directory.path, schema: SearchFixtures.schema, options: .init(mergesInBackground: false))
                var documents: [Document] = []
                for _ in 0..<Int.random(in: 1...20, using: &commitRandom) {
                    var document = SearchFixtures.document("new\(round)-\(added)", body: "new")
                    FilterFixtures.addColumns(to: &document, &commitRandom)
                    document["tag"] = .keyword(["new"])
                    documents.append(document)
                    added += 1
                }
                _ = try writer.add(documents)
                _ = try writer.commit()
                if Bool.random(using: &commitRandom) {
                    try writer.forceMerge()
                    _ = try writer.commit()
                }
                return IndexSearcher(reader: try IndexReader.open(directory: directory.path))
            }
            #expect(paged == expected, "seed \(seed) round \(round) sort \(sort.map(\.canonical))")
        }
    }

    @Test("hand-checked: multi-valued keywords sort by min ascending and max descending; missing first or last")
    func handChecked() throws {
        let directory = try TemporaryDirectory()
        func document(_ id: String, tags: [String], price: Int64?) -> Document {
            var document = SearchFixtures.document(id, body: "x")
            if !tags.isEmpty { document["tags"] = .keyword(tags) }
            if let price { document["price"] = .int64(price) }
            return document
        }
        let reader = try SearchFixtures.index(
            in: directory,
            batches: [
                [document("a", tags: ["m", "z"], price: 3), document("b", tags: ["n"], price: nil)],
                [document("c", tags: [], price: 1), document("d", tags: ["b", "y"], price: 3)],
            ])
        let searcher = IndexSearcher(reader: reader)
        func ids(_ sort: [SortKey]) throws -> [String] {
            try searcher.search(SearchRequest(sort: sort)).hits.map { try SearchFixtures.id(of: $0, in: reader) }
        }
        #expect(try ids([.field("tags")]) == ["d", "a", "b", "c"])
        #expect(try ids([.field("tags", .descending)]) == ["a", "d", "b", "c"])
        #expect(try ids([.field("tags", .descending, missing: .first)]) == ["c", "a", "d", "b"])
        // Equal prices: the id breaks the tie.
        #expect(try ids([.field("price", .descending)]) == ["a", "d", "c", "b"])
        #expect(try ids([.field("price", missing: .first)]) == ["b", "c", "a", "d"])
    }

    @Test("bad sorts and bad cursors get typed errors that name the problem")
    func errors() throws {
        let directory = try TemporaryDirectory()
        let reader = try SearchFixtures.index(
            in: directory,
            batches: [[SearchFixtures.document("a", body: "x"), SearchFixtures.document("b", body: "y")]])
        let searcher = IndexSearcher(reader: reader)
        #expect(throws: SearchError.unknownField("nope")) { try searcher.search(SearchRequest(sort: [.field("nope")])) }
        for field in ["body", "id"] {
            #expect {
                try searcher.search(SearchRequest(sort: [.field(field)]))
            } throws: { error in
                guard case .invalidSort(let name, _)? = error as? SearchError else { return false }
                return name == field
            }
        }
        let sort: [SortKey] = [.field("price", .descending)]
        let cursor = try #require(try searcher.search(SearchRequest(limit: 1, sort: sort)).cursor)
        func reason(_ request: SearchRequest) -> String? {
            do {
                _ = try searcher.search(request)
                return nil
            } catch {
                guard case .invalidCursor(let reason) = error else { return "other error \(error)" }
                return reason
            }
        }
        #expect(reason(SearchRequest(sort: sort, searchAfter: cursor)) == nil)
        #expect(reason(SearchRequest(sort: sort, searchAfter: "not a cursor!"))?.contains("base64url") == true)
        #expect(reason(SearchRequest(sort: sort, searchAfter: "A"))?.contains("length") == true)
        #expect(reason(SearchRequest(searchAfter: cursor))?.contains("needs the request's sort") == true)
        #expect(reason(SearchRequest(sort: [.field("price")], searchAfter: cursor))?.contains("another sort") == true)
        #expect(
            reason(SearchRequest(sort: sort + [.field("tag")], searchAfter: cursor))?.contains("another sort") == true)
        // Every single-character alteration is caught (checksum or a decoding error), never a crash.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var characters = Array(cursor)
        for position in characters.indices {
            let original = characters[position]
            characters[position] = alphabet[(alphabet.firstIndex(of: original)! + 1) % alphabet.count]
            #expect(reason(SearchRequest(sort: sort, searchAfter: String(characters))) != nil, "position \(position)")
            characters[position] = original
        }
        #expect(reason(SearchRequest(sort: sort, searchAfter: String(characters.dropLast(3)))) != nil)
    }

    @Test("cursor text round-trips every kind of value and rejects a value that does not fit its key")
    func cursorRoundTrip() throws {
        let schema = SearchFixtures.schema
        let plan = try SortPlan(
            [.score(), .field("tag"), .field("price"), .field("rating", .descending), .field("published")],
            schema: schema)
        let cursor = SearchCursor(
            values: [.score(1.5), .keyword(Array("é x".utf8)), .missing, .double(-0.0), .integer(-5)],
            id: Array("doc-7".utf8))
        let decoded = try SearchCursor(decoding: cursor.encoded(for: plan), for: plan)
        #expect(decoded == cursor)
        let wrong = SearchCursor(values: [.score(1), .integer(3), .missing, .missing, .missing], id: [1])
        #expect(throws: SearchError.self) { try SearchCursor(decoding: wrong.encoded(for: plan), for: plan) }
    }
}
