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
final class RequestBodyPipe: @unchecked Sendable {
    /// Why the body stopped before its end.
    enum Failure: Sendable, Equatable {
        /// More bytes came than the route accepts.
        case overLimit(Int)
        /// The connection failed or closed mid-body.
        case broken(String)
    }

    private let condition = NSCondition()
    private var buffers = CircularBuffer<ByteBuffer>()
    private var bufferedBytes = 0
    private var ended = false
    private var storedFailure: Failure?
    private var readerGone = false
    private var waitingWriter: CheckedContinuation<Void, Never>?
    private let capacity: Int

    /// A pipe holding at most about `capacity` unread bytes.
    init(capacity: Int = 4 << 20) { self.capacity = capacity }

    /// Why the body stopped early, if it did.
    var failure: Failure? { condition.withLock { storedFailure } }

    /// Copies `body` into the pipe until it ends, more than `limit` bytes came, or the reader
    /// stopped; then marks the end (with the failure, if any).
    func fill(from body: RequestBody, limit: Int) async {
        var total = 0
        do {
            for try await buffer in body {
                total += buffer.readableBytes
                if total > limit {
                    finish(.overLimit(limit))
                    return
                }
                guard await write(buffer) else { return }
            }
            finish(nil)
        } catch {
            finish(.broken(String(describing: error)))
        }
    }

    /// Adds the next part of the body, waiting while more than `capacity` bytes are unread;
    /// false once the reader stopped (the rest of the body is not wanted).
    private func write(_ buffer: ByteBuffer) async -> Bool {
        let full = condition.withLock {
            guard !readerGone else { return false }
            buffers.append(buffer)
            bufferedBytes += buffer.readableBytes
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

    /// Blocks until bytes are there; 0 at the end of the body, an error when it ended early.
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
        case .overLimit(let limit)?: throw .cannotRead(reason: "the request body is over the limit of \(limit) bytes")
        case .broken(let reason)?: throw .cannotRead(reason: "the request body ended early: \(reason)")
        case nil: return copied
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
