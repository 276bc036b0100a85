import Foundation
import Testing

@testable import TalyAPI

#if canImport(Glibc)
    import Glibc

    /// One response as it came off the wire.
    struct RawResponse: CustomStringConvertible {
        let status: Int
        /// Names lowercased.
        let headers: [(name: String, value: String)]
        let body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.name == name.lowercased() }?.value }

        /// The body as a JSON object (empty when it is not one).
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }

        var description: String { "\(status) \(String(decoding: body.prefix(600), as: UTF8.self))" }
    }

    /// A bare HTTP/1.1 client connection on loopback that sends bytes exactly as given (a request
    /// head alone, chunks one by one, broken framing) and reads responses as they arrive, so a test
    /// sees what the server sent before the body went out. Blocking socket calls run on threads
    /// of their own, never on the concurrency pool the server's handlers need.
    final class RawHTTPConnection: @unchecked Sendable {
        private let descriptor: Int32
        /// Bytes received and not yet parsed into a response.
        private var pending: [UInt8] = []
        /// The server closed its side.
        private(set) var closedByServer = false

        init(port: Int) throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw RawHTTPError.system("socket", errno) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                let code = errno
                close(fd)
                throw RawHTTPError.system("connect", code)
            }
            descriptor = fd
        }

        deinit { close(descriptor) }

        /// Sends `bytes`; fails when the server closed the connection.
        func send(_ bytes: [UInt8]) async throws {
            try await runOnOwnThread { [self] in
                var sent = 0
                while sent < bytes.count {
                    let count = bytes[sent...].withUnsafeBytes {
                        Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                    }
                    guard count > 0 else { throw RawHTTPError.system("send", errno) }
                    sent += count
                }
            }
        }

        func send(_ text: String) async throws { try await send(Array(text.utf8)) }

        /// The next response (an interim 1xx counts as one), or nil when none came within
        /// `timeout` or the server closed first.
        func response(within timeout: Duration) async throws -> RawResponse? {
            try await runOnOwnThread { [self] in try readResponse(deadline: ContinuousClock.now + timeout) }
        }

        /// Whether the server closes the connection within `timeout`; what it sends before is kept
        /// for `response(within:)`.
        func closes(within timeout: Duration) async throws -> Bool {
            try await runOnOwnThread { [self] in
                let deadline = ContinuousClock.now + timeout
                while !closedByServer {
                    guard try receive(until: deadline) else { return false }
                }
                return true
            }
        }

        /// Reads into `pending`; false when the deadline passed first.
        private func receive(until deadline: ContinuousClock.Instant) throws -> Bool {
            while true {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return false }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(min(left / .milliseconds(1), 60_000)) + 1)
                if ready < 0 && errno != EINTR { throw RawHTTPError.system("poll", errno) }
                guard ready > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    closedByServer = true
                } else {
                    pending += buffer[..<count]
                }
                return true
            }
        }

        private func readResponse(deadline: ContinuousClock.Instant) throws -> RawResponse? {
            while true {
                if let response = try parse() { return response }
                if closedByServer { return nil }
                guard try receive(until: deadline) else { return nil }
            }
        }

        /// A whole response at the start of `pending`, removed from it; nil when more bytes are
        /// needed. Bodies are framed by `Content-Length` (Hummingbird's answers always are).
        private func parse() throws -> RawResponse? {
            let separator: [UInt8] = [13, 10, 13, 10]
            guard let headEnd = pending.indices.dropLast(3).first(where: { Array(pending[$0..<$0 + 4]) == separator })
            else { return nil }
            let lines = String(decoding: pending[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ")
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
                throw RawHTTPError.malformed(lines[0])
            }
            let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (
                    line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                )
            }
            let length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) } ?? 0
            let bodyStart = headEnd + 4
            guard pending.count >= bodyStart + length else { return nil }
            let body = Array(pending[bodyStart..<bodyStart + length])
            pending.removeFirst(bodyStart + length)
            return RawResponse(status: status, headers: headers, body: body)
        }
    }

    enum RawHTTPError: Error {
        case system(String, Int32)
        case malformed(String)
    }

    /// Chunked transfer coding (RFC 9112 §7.1) of `body` cut into `sizes` (the rest in one last
    /// chunk), with the terminating zero chunk when `terminated`.
    func chunkedEncoding(_ body: [UInt8], sizes: [Int], terminated: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        for size in sizes + [body.count] where start < body.count {
            let end = min(body.count, start + max(1, size))
            out += Array(String(end - start, radix: 16).utf8) + [13, 10] + body[start..<end] + [13, 10]
            start = end
        }
        if terminated { out += Array("0\r\n\r\n".utf8) }
        return out
    }
#endif
