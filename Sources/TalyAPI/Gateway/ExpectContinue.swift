import Foundation
import Hummingbird
import NIOCore

/// The `Expect` request header (RFC 9110 §10.1.1), the request's side of it: the gateway
/// refuses an expectation other than `100-continue` with 417, and gives a request that expects
/// a 100 a body which asks for it on its first read. `ExpectContinueHandler`, on the
/// connection, sends the 100 then — unless the body already came, or the client did not ask.
enum ExpectContinue {
    /// The outbound channel event a body sends before its first read.
    struct BodyWanted: Sendable {}

    /// Whether an `Expect` value is the one expectation HTTP defines.
    static func asksForContinue(_ value: String) -> Bool {
        value.trimmingCharacters(in: .whitespaces).lowercased() == "100-continue"
    }

    /// 417 for an expectation the server cannot meet; for `100-continue`, the request's body
    /// becomes one that asks `channel` for the interim answer before its first read.
    static func prepare(_ request: inout Request, channel: any Channel) throws(APIError) {
        guard let expect = request.headers[.expect] else { return }
        guard asksForContinue(expect) else {
            throw APIError(.expectationFailed, "Expect: \(expect) is not supported; only 100-continue is")
        }
        request.body = RequestBody(asyncSequence: ContinueOnFirstRead(base: request.body, channel: channel))
    }
}

/// A request body that sends `ExpectContinue.BodyWanted` down the channel before its first
/// read: only a route that reads the body, after its checks passed, makes the client send it.
struct ContinueOnFirstRead: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let channel: any Channel

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        /// Until the first read.
        var channel: (any Channel)?

        mutating func next() async throws -> ByteBuffer? {
            if let channel {
                self.channel = nil
                // Without the handler on the connection (router tests) nothing handles the event;
                // a closed connection shows on the read that follows.
                try? await channel.triggerUserOutboundEvent(ExpectContinue.BodyWanted()).get()
            }
            return try await base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), channel: channel)
    }
}
