import Crypto
import Foundation
import TalyStore

/// The reject file of a run, `FILE.rejects.jsonl` next to the input: one JSON object per
/// rejected record, `{"line", "field", "reason", "record"}` (`record` is the original text).
///
/// It is appended before the batch's transaction commits and its length is committed in the
/// checkpoint, so a resumed run first cuts it back to that length: rejects of a batch that did
/// not commit are written again, once.
public final class RejectFile {
    /// Where the file is.
    public let path: String
    private let handle: FileHandle
    private(set) var length: Int64

    /// Opens (creating) the file and cuts it to `length` bytes (0 for a fresh run).
    public init(path: String, truncatingTo length: Int64) throws(BulkIngestError) {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .cannotWriteRejects(path: path, reason: String(cString: strerror(errno)))
        }
        guard ftruncate(descriptor, off_t(length)) == 0, lseek(descriptor, off_t(length), SEEK_SET) >= 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotWriteRejects(path: path, reason: reason)
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        self.length = length
    }

    /// The reject path for an input path (`-` is standard input: `stdin.rejects.jsonl`).
    public static func path(forInput input: String) -> String {
        input == "-" ? "stdin.rejects.jsonl" : input + ".rejects.jsonl"
    }

    /// Appends the rejected records among `results`; returns the new length.
    public func append(_ results: [BulkRecordResult]) throws(BulkIngestError) -> Int64 {
        var text: [UInt8] = []
        for result in results {
            guard case .rejected(let field, let reason) = result.outcome else { continue }
            text.append(contentsOf: #"{"line":\#(result.line),"field":"#.utf8)
            Self.appendJSONString(field, to: &text)
            text.append(contentsOf: #","reason":"#.utf8)
            Self.appendJSONString(reason, to: &text)
            text.append(contentsOf: #","record":"#.utf8)
            Self.appendJSONString(String(decoding: result.original ?? [], as: UTF8.self), to: &text)
            text.append(contentsOf: "}\n".utf8)
        }
        guard !text.isEmpty else { return length }
        do {
            try handle.write(contentsOf: text)
        } catch {
            throw .cannotWriteRejects(path: path, reason: String(describing: error))
        }
        length += Int64(text.count)
        return length
    }

    static func appendJSONString(_ string: String, to output: inout [UInt8]) {
        output.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: #"\""#.utf8)
            case 0x5C: output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }
}

/// The checkpoint key of a run: what makes "the same input" for resuming.
public enum IngestInputKey {
    /// How many leading bytes of the input go into the key.
    public static let sampledBytes = 1 << 20

    /// A hash of the tenant, target, mode, the input's size and its first MiB (read with
    /// `pread`, so the descriptor's position is unchanged). Nil when the descriptor is not a
    /// regular file: a pipe cannot be read again, so a run from it cannot be resumed.
    public static func make(
        tenant: TenantID, target: BulkIngestTarget, mode: BulkWriteMode, descriptor: Int32
    ) -> String? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        var sample = [UInt8](repeating: 0, count: min(sampledBytes, Int(status.st_size)))
        let count = sample.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count == sample.count else { return nil }
        var hasher = SHA256()
        hasher.update(
            data: Array("taly-ingest-1|\(tenant.rawValue)|\(target.name)|\(mode.rawValue)|\(status.st_size)|".utf8))
        hasher.update(data: sample)
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
