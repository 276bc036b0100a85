import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (RFC 9110 §10.1.1) as Go's net/http does: the interim
/// `100 Continue` goes out when the application first reads the body (it sends
/// `ExpectContinue.bodyWanted`), so a request refused on its headers alone — 401, 403, 413,
/// 415… — gets its final answer without the client ever sending the body. Neither NIO nor
/// Hummingbird does anything with `Expect`; this handler sits in Hummingbird's
/// `additionalChannelHandlers`, between the HTTP codec and the request loop.
///
/// A final answer given while the client still waits for the 100 says `Connection: close`,
/// and any answer saying `Connection: close` ends the connection: the body the client holds
/// back (or any rest of a body cut short) is never read as a next request. Output is closed
/// first and input dropped for `lingerTime`, so bytes still in flight do not reset the
/// connection before the client read the answer (Go's `closeWriteAndWait`).
final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a connection ended by an answer keeps dropping what the client still sends.
    static let lingerTime = TimeAmount.seconds(2)

    /// The current request asked for a 100 and none went out yet, nor did any body arrive.
    private var awaitingContinue = false
    /// The answer being written said `Connection: close`.
    private var closeAfterResponse = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            awaitingContinue = head.headerFields[.expect].map(ExpectContinue.asksForContinue) ?? false
        case .body, .end:
            // A client may stop waiting and send the body anyway; the 100 is then moot.
            awaitingContinue = false
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ExpectContinue.BodyWanted else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        guard awaitingContinue else {
            promise?.succeed()
            return
        }
        awaitingContinue = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: promise)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            if awaitingContinue {
                awaitingContinue = false
                head.headerFields[.connection] = "close"
            }
            closeAfterResponse = head.headerFields[.connection]?.lowercased() == "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where closeAfterResponse:
            closeAfterResponse = false
            context.writeAndFlush(data, promise: promise)
            let channel = context.channel
            context.close(mode: .output).whenComplete { _ in
                channel.eventLoop.scheduleTask(in: Self.lingerTime) { channel.close(promise: nil) }
            }
        case .head, .body, .end:
            context.write(data, promise: promise)
        }
    }
}
