import HTTPTypes
import NIOCore
import NIOHTTP1
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
/// connection before the client read the answer (Go's `closeWriteAndWait`) — at most
/// `lingerByteLimit` of them, so a client that keeps sending cannot hold the connection and the
/// decoder busy for the whole `lingerTime`. What arrives then is dropped here, never handed to
/// the request loop: a request after `Connection: close` is not answered.
///
/// An HTTP/1.0 request's `100-continue` is ignored (RFC 9110 §10.1.1: a server MUST NOT send
/// 100 to an HTTP/1.0 client): `HTTP10ExpectationFilter`, which this handler places before the
/// HTTP/1 codec that drops the version, removes the header.
final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a connection ended by an answer keeps dropping what the client still sends.
    let lingerTime: TimeAmount
    /// How many body bytes it drops before closing at once; any new request head closes it too.
    let lingerByteLimit: Int

    /// The current request asked for a 100 and none went out yet, nor did any body arrive.
    private var awaitingContinue = false
    /// The answer being written said `Connection: close`.
    private var closeAfterResponse = false
    /// Body bytes dropped since the output was closed; nil while the connection is open.
    private var lingeredBytes: Int?

    /// 2 s and 1 MiB by default: time for the answer to reach a client that is still sending,
    /// and room for what a loopback or LAN connection has in flight meanwhile.
    init(lingerTime: TimeAmount = .seconds(2), lingerByteLimit: Int = 1 << 20) {
        self.lingerTime = lingerTime
        self.lingerByteLimit = lingerByteLimit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The HTTP/1 decoder is absent when the handler is used on its own (tests of the pipeline).
        let pipeline = context.pipeline.syncOperations
        if let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) {
            try? pipeline.addHandler(HTTP10ExpectationFilter(), position: .after(decoder))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let dropped = lingeredBytes {
            let part = unwrapInboundIn(data)
            let size: Int
            switch part {
            case .body(let buffer): size = buffer.readableBytes
            case .end: size = 0
            case .head: size = lingerByteLimit + 1
            }
            lingeredBytes = dropped + size
            if dropped + size > lingerByteLimit { context.close(promise: nil) }
            return
        }
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
            lingeredBytes = 0
            let channel = context.channel
            let lingerTime = lingerTime
            context.close(mode: .output).whenComplete { _ in
                channel.eventLoop.scheduleTask(in: lingerTime) { channel.close(promise: nil) }
            }
        case .head, .body, .end:
            context.write(data, promise: promise)
        }
    }
}

/// Removes `Expect: 100-continue` from HTTP/1.0 requests, which must ignore it (RFC 9110 §10.1.1):
/// the client may not understand a 100, so the request proceeds as if it had not asked. Sits
/// before the conversion to `HTTPTypes`, which keeps no version.
final class HTTP10ExpectationFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), head.version.major == 1, head.version.minor == 0,
            head.headers["expect"].contains(where: ExpectContinue.asksForContinue)
        else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: "expect")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
