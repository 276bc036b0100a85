import Foundation
import Hummingbird
import NIOCore
import TalyIngest

/// Hands a request body, which arrives as `ByteBuffer`s on the concurrency pool, to the bulk
/// ingest pipeline's reader thread, which reads with blocking calls (`IngestByteSource`).
///
/// At most about `capacity` bytes wait in between: the request's task suspends until the
/// pipeline has read them, so a large body is never held whole and a slow pipeline slows the
/// upload down (TCP back-pressure) instead of filling memory.
///
/// A body over the limit is cut at exactly the limit: the reader sees its first `limit` bytes
/// and then a normal end, so what those bytes hold is ingested whatever sizes the body arrived
/// in (a chunked body's size is only known as it streams), and `failure` tells the route to
/// answer 413.
final class RequestBodyPipe: @unchecked Sendable {
    /// Why the body stopped before its end.
    enum Failure: Sendable, Equatable {
        /// More bytes came than the route accepts: the reader got the first `limit` of them.
        case overLimit(Int)
        /// The connection failed or closed mid-body, or the body's framing was invalid.
        case broken(String)
    }

    private let condition = NSCondition()
    private var buffers = CircularBuffer<ByteBuffer>()
    private var bufferedBytes = 0
    private var ended = false
    private var storedFailure: Failure?
    private var storedBodyError: (any Error)?
    private var readerGone = false
    private var waitingWriter: CheckedContinuation<Void, Never>?
    private let capacity: Int
    /// Whether the bytes after the last line feed written so far hold more than white space:
    /// at a cut, whether the cut falls inside a record (the reader's last one).
    private var lastLineHasContent = false

    /// A pipe holding at most about `capacity` unread bytes.
    init(capacity: Int = 4 << 20) { self.capacity = capacity }

    /// Why the body stopped early, if it did.
    var failure: Failure? { condition.withLock { storedFailure } }

    /// What reading the body threw, when it broke off.
    var bodyError: (any Error)? { condition.withLock { storedBodyError } }

    /// After a cut at the limit: whether it fell inside a record, which the reader then got
    /// only the start of, as its last record.
    var cutInsideRecord: Bool {
        condition.withLock {
            guard case .overLimit = storedFailure else { return false }
            return lastLineHasContent
        }
    }

    /// Copies `body` into the pipe until it ends, more than `limit` bytes came (the first
    /// `limit` are kept), or the reader stopped; then marks the end (with the failure, if any).
    func fill(from body: RequestBody, limit: Int) async {
        var total = 0
        do {
            for try await buffer in body {
                if total + buffer.readableBytes > limit {
                    var kept = buffer
                    kept.moveWriterIndex(to: buffer.readerIndex + (limit - total))
                    if kept.readableBytes > 0 {
                        guard await write(kept) else { return }
                    }
                    finish(.overLimit(limit))
                    return
                }
                total += buffer.readableBytes
                guard await write(buffer) else { return }
            }
            finish(nil)
        } catch {
            condition.withLock { storedBodyError = error }
            finish(.broken(String(describing: error)))
        }
    }

    /// Adds the next part of the body, waiting while more than `capacity` bytes are unread;
    /// false once the reader stopped (the rest of the body is not wanted).
    private func write(_ buffer: ByteBuffer) async -> Bool {
        let lastLineHasContent = Self.lastLineHasContent(buffer, continuing: lastLineHasContent)
        let full = condition.withLock {
            guard !readerGone else { return false }
            buffers.append(buffer)
            bufferedBytes += buffer.readableBytes
            self.lastLineHasContent = lastLineHasContent
            condition.signal()
            return bufferedBytes > capacity
        }
        if full {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                condition.lock()
                if bufferedBytes > capacity && !readerGone {
                    waitingWriter = continuation
                    condition.unlock()
                } else {
                    condition.unlock()
                    continuation.resume()
                }
            }
        }
        return condition.withLock { !readerGone }
    }

    /// Whether the bytes after the last line feed hold more than the white space a blank line
    /// may have (as `RecordSplitter` skips it), given the answer before `buffer`. Scans back
    /// from the end to the last line feed only: about one line per buffer.
    private static func lastLineHasContent(_ buffer: ByteBuffer, continuing before: Bool) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            var content = false
            for byte in bytes.reversed() {
                switch byte {
                case 0x0A: return content
                case 0x20, 0x09, 0x0D: continue
                default: content = true
                }
            }
            return content || before
        }
    }

    private func finish(_ failure: Failure?) {
        condition.withLock {
            ended = true
            storedFailure = failure
            condition.signal()
        }
    }

    /// The reader is done (the pipeline stopped, perhaps on a store failure while its reader
    /// thread waits here): a writer waiting for room and a reader waiting for bytes are released,
    /// and the rest of the body is dropped.
    func closeReader() {
        let writer = condition.withLock {
            readerGone = true
            ended = true
            condition.broadcast()
            buffers.removeAll()
            bufferedBytes = 0
            defer { waitingWriter = nil }
            return waitingWriter
        }
        writer?.resume()
    }

    /// Blocks until bytes are there; 0 at the end of the body or at a cut at the limit, an
    /// error when the body broke off.
    func read(into output: UnsafeMutableRawBufferPointer) throws(BulkIngestError) -> Int {
        condition.lock()
        while buffers.isEmpty && !ended { condition.wait() }
        var copied = 0
        while copied < output.count, !buffers.isEmpty {
            let count = min(output.count - copied, buffers[buffers.startIndex].readableBytes)
            buffers[buffers.startIndex].withUnsafeReadableBytes { bytes in
                (output.baseAddress! + copied).copyMemory(from: bytes.baseAddress!, byteCount: count)
            }
            buffers[buffers.startIndex].moveReaderIndex(forwardBy: count)
            if buffers[buffers.startIndex].readableBytes == 0 { buffers.removeFirst() }
            copied += count
        }
        bufferedBytes -= copied
        var writer: CheckedContinuation<Void, Never>?
        if bufferedBytes <= capacity / 2 {
            writer = waitingWriter
            waitingWriter = nil
        }
        let failure = copied == 0 ? storedFailure : nil
        condition.unlock()
        writer?.resume()
        switch failure {
        case .broken(let reason)?: throw .cannotRead(reason: "the request body ended early: \(reason)")
        case .overLimit?, nil: return copied
        }
    }
}

/// The pipe as the pipeline's input.
struct RequestBodySource: IngestByteSource {
    let pipe: RequestBodyPipe
    private(set) var rawBytesRead = 0

    init(pipe: RequestBodyPipe) { self.pipe = pipe }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(BulkIngestError) -> Int {
        let count = try pipe.read(into: buffer)
        rawBytesRead += count
        return count
    }
}

/// Runs `body` on a thread of its own: a bulk ingest blocks for as long as its body streams
/// in, far longer than a thread of the concurrency pool or of NIO's shared pool may be held.
func runOnOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result(catching: body)) }
    }
}
