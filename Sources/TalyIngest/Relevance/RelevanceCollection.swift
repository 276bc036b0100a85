import Foundation

/// A relevance test collection in the layout of the workplace's shared data (`docs.jsonl`,
/// `queries.tsv`, `qrels.txt`; see `../shared/data/README.md`).
public struct RelevanceCollection: Sendable {
    /// One document: its id and the text that is indexed.
    public struct Document: Sendable, Hashable {
        /// The id the judgments use (e.g. "CACM-1410").
        public var id: String
        /// `title + "\n" + body`, the text Anserini indexes for these collections.
        public var text: String

        /// A document with `id` and `text`.
        public init(id: String, text: String) {
            self.id = id
            self.text = text
        }
    }

    /// One query (TREC "topic").
    public struct Topic: Sendable, Hashable {
        /// The query id the judgments use.
        public var id: String
        /// The free text of the query.
        public var text: String

        /// A topic with `id` and `text`.
        public init(id: String, text: String) {
            self.id = id
            self.text = text
        }
    }

    /// The documents, in file order.
    public var documents: [Document]
    /// The queries, in file order.
    public var topics: [Topic]
    /// The relevance judgments.
    public var judgments: RelevanceJudgments

    /// A collection of `documents`, `topics` and `judgments`.
    public init(documents: [Document], topics: [Topic], judgments: RelevanceJudgments) {
        self.documents = documents
        self.topics = topics
        self.judgments = judgments
    }

    /// Reads `docs.jsonl`, `queries.tsv` and `qrels.txt` from `directory`.
    public static func load(directory: String) throws(RelevanceError) -> RelevanceCollection {
        let base = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw RelevanceError(location: directory, problem: "no such collection directory")
        }
        let documents = try parseDocuments(try read(base.appendingPathComponent("docs.jsonl")), file: "docs.jsonl")
        let topics = try parseTopics(try read(base.appendingPathComponent("queries.tsv")), file: "queries.tsv")
        let judgments = try RelevanceJudgments(
            trecQrels: try read(base.appendingPathComponent("qrels.txt")), file: "qrels.txt")
        return RelevanceCollection(documents: documents, topics: topics, judgments: judgments)
    }

    /// The documents of JSON Lines `text`: objects with a string `id` and optional string
    /// `title` and `body` (other members are ignored).
    public static func parseDocuments(_ text: String, file: String) throws(RelevanceError) -> [Document] {
        struct Line: Decodable {
            var id: String
            var title: String?
            var body: String?
        }
        var documents: [Document] = []
        let decoder = JSONDecoder()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            do {
                let parsed = try decoder.decode(Line.self, from: Data(line.utf8))
                documents.append(Document(id: parsed.id, text: (parsed.title ?? "") + "\n" + (parsed.body ?? "")))
            } catch {
                throw RelevanceError(
                    location: "\(file) line \(index + 1)",
                    problem: "not a document object with a string \"id\": \(error)")
            }
        }
        return documents
    }

    /// The topics of `qid<TAB>text` lines.
    public static func parseTopics(_ text: String, file: String) throws(RelevanceError) -> [Topic] {
        var topics: [Topic] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            guard let tab = line.firstIndex(of: "\t"), tab != line.startIndex else {
                throw RelevanceError(location: "\(file) line \(index + 1)", problem: "expected \"qid<TAB>text\"")
            }
            topics.append(Topic(id: String(line[..<tab]), text: String(line[line.index(after: tab)...])))
        }
        return topics
    }

    static func read(_ url: URL) throws(RelevanceError) -> String {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw RelevanceError(location: url.path, problem: "cannot read: \((error as NSError).localizedDescription)")
        }
    }
}

/// Graded relevance judgments (TREC qrels): grade by document id, per query id.
public struct RelevanceJudgments: Sendable, Hashable {
    /// `grades[query][document]`; a document is relevant when its grade is above 0.
    public var grades: [String: [String: Int]]

    /// Judgments from `grades[query][document]`.
    public init(grades: [String: [String: Int]]) {
        self.grades = grades
    }

    /// Parses TREC qrels lines `qid iter docid grade`.
    public init(trecQrels text: String, file: String) throws(RelevanceError) {
        grades = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            if fields.isEmpty { continue }
            guard fields.count >= 4, let grade = Int(fields[3]) else {
                throw RelevanceError(
                    location: "\(file) line \(index + 1)",
                    problem: "expected \"qid iter docid grade\" (grade an integer)")
            }
            grades[String(fields[0]), default: [:]][String(fields[2])] = grade
        }
    }
}

/// A relevance collection or evaluation that cannot be used, with where the problem is.
public struct RelevanceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (and line) or step at fault.
    public let location: String
    /// What is wrong there.
    public let problem: String

    /// An error at `location`.
    public init(location: String, problem: String) {
        self.location = location
        self.problem = problem
    }

    /// "location: problem".
    public var description: String { "\(location): \(problem)" }
}
