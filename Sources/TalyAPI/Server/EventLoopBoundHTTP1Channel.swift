import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 connection, with the connection's task run on the connection's own
/// event loop instead of Swift's cooperative pool.
///
/// Hummingbird reads a request on the event loop, resumes the connection's task on a pool
/// thread to run the handler, and writes the answer back on the event loop: two wake-ups of
/// another thread per request, which on an idle server were most of what HTTP added to a quick
/// search. Here the task's jobs are queued on the event loop that holds the socket, so a
/// request is read, handled and written on one thread.
///
/// What runs on the event loop blocks that loop's other connections meanwhile, so only bounded
/// reads (`GET`, `HEAD` of a few indexed rows, health, metrics) are handled there; searches,
/// whose time grows with the query, writes, which wait for SQLite's fsync, and bulk ingest,
/// which streams for minutes, run their handler on the pool
/// (`RoutePlacements`, from each route's `RouteDoc.work`).
struct EventLoopBoundHTTP1Channel: ServerChildChannel {
    let base: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        base.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        let executor = EventLoopTaskExecutor(value.channel.eventLoop)
        await EventLoopTaskExecutor.$connection.withValue(executor) {
            await withTaskExecutorPreference(executor) {
                await base.handle(value: value, logger: logger)
            }
        }
    }
}

/// Runs a task's jobs on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    /// The executor of the connection whose request is being handled; nil under another server
    /// (the tests' router). A child task added with a nil preference ran on the cooperative pool
    /// in profiles (Swift 6.3), so the request's child names this one explicitly.
    @TaskLocal static var connection: EventLoopTaskExecutor?

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with each connection's task on its event loop (`EventLoopBoundHTTP1Channel`).
    static func eventLoopBoundHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EventLoopBoundHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
