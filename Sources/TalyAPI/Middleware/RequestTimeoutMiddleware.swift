import Foundation
import HTTPTypes
import Hummingbird

/// Answers 504 `timeout` when the rest of the chain has not produced a response within the
/// deadline of its route (`GatewaySettings.timeout(endpoint:)`: bulk ingest has a longer one),
/// and cancels it; a response that comes later is dropped.
///
/// Cancellation is cooperative: the deadline is in the context, and a search stops at it (the
/// engine checks it as it goes), but a handler inside one synchronous store call finishes that call
/// before the answer goes out, and a change it was making may have been saved (clients retry
/// with `If-Match`, which makes a repeated change a 412 rather than a second write). The
/// deadline covers producing the response head, not streaming its body.
struct RequestTimeoutMiddleware: RouterMiddleware {
    typealias Context = TalyRequestContext

    let settings: GatewaySettings
    /// Where each route's handler runs (`RouteDoc.work`).
    let placements: RoutePlacements

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let timeout = settings.timeout(endpoint: context.endpointPath)
        let deadline = ContinuousClock.now + timeout
        var withDeadline = context
        withDeadline.deadline = deadline
        let handlerContext = withDeadline
        // One child task runs the rest of the chain, so that cancelling it cancels that alone,
        // not the connection's task; the shared watchdog cancels it at the deadline. A timer
        // task per request racing the handler cost a second task, a timer and a cancellation
        // on every request. The task group awaits its child before it returns, so `next` never
        // outlives this call even though the child runs it.
        return try await withoutActuallyEscaping(next) { next in
            let handler = HandlerTransfer(next)
            return try await withThrowingTaskGroup(of: Response.self) { group in
                // Bounded reads run where the connection's task runs, on its event loop
                // (`EventLoopBoundHTTP1Channel`); searches, writes (SQLite's fsync) and bulk
                // ingest (minutes of streaming) run on the cooperative pool and leave the loop to
                // the other connections' I/O. A search's time is not bounded, and on the loop it
                // would hold every other connection of that loop: with 16 connections on 2 cores
                // p90 and p99 doubled (52 → 98 ms and 207 → 398 ms, BENCHMARKS.md), for a hop of a
                // few tens of µs saved per search.
                let executor: (any TaskExecutor)? =
                    placements.runsOnEventLoop(request.method, endpoint: context.endpointPath)
                    ? EventLoopTaskExecutor.connection : globalConcurrentExecutor
                group.addTask(executorPreference: executor) {
                    try await DeadlineWatchdog.shared.cancelling(at: deadline) {
                        try await handler.run(request, handlerContext)
                    }
                }
                let outcome: Result<Response, any Error>
                do {
                    guard let response = try await group.next() else { preconditionFailure("one child was added") }
                    outcome = .success(response)
                } catch {
                    outcome = .failure(error)
                }
                // A handler holding its thread finishes past the deadline, cancelled or not: the
                // clock says whether the deadline was kept.
                guard ContinuousClock.now <= deadline else {
                    // A search stopped at the deadline says so itself, with how long it ran.
                    if case .failure(let error as APIError) = outcome, error.kind == .timeout { throw error }
                    throw APIError(
                        .timeout,
                        "the request did not finish within \(Self.describe(timeout)); a change it was making may "
                            + "still have been saved")
                }
                return try outcome.get()
            }
        }
    }

    /// `30 s`, `250 ms`.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}

/// Carries the non-Sendable `next` closure into the child task; sound because the task group
/// ends before `withoutActuallyEscaping` does and only that child calls it.
private struct HandlerTransfer: @unchecked Sendable {
    let run: (Request, TalyRequestContext) async throws -> Response
    init(_ run: @escaping (Request, TalyRequestContext) async throws -> Response) { self.run = run }
}

/// Cancels tasks whose deadline has passed, from one thread for the whole process.
///
/// A task registers itself for the time it runs a body; the thread sleeps until the earliest
/// deadline it knows and is woken only when a task registers with an earlier one (with one
/// timeout for most routes, when nothing was registered), so a request costs a dictionary
/// insert and removal under a lock, not a timer.
final class DeadlineWatchdog: @unchecked Sendable {
    static let shared = DeadlineWatchdog()

    private struct Entry {
        let deadline: ContinuousClock.Instant
        let task: UnsafeCurrentTask
    }

    // Everything below is guarded by `condition`'s lock.
    private let condition = NSCondition()
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 0
    /// When the thread will look next; nil while it waits for a registration (or before it starts).
    private var wakesAt: ContinuousClock.Instant?
    private var started = false

    /// Runs `body` in the current task, cancelling the task if it is still running at `deadline`.
    func cancelling<T>(at deadline: ContinuousClock.Instant, _ body: () async throws -> T) async throws -> T {
        let id = withUnsafeCurrentTask { task in task.map { register($0, deadline: deadline) } }
        defer { if let id { unregister(id) } }
        return try await body()
    }

    private func register(_ task: UnsafeCurrentTask, deadline: ContinuousClock.Instant) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            let thread = Thread { [self] in watch() }
            thread.name = "taly-deadlines"
            thread.start()
        }
        let id = nextID
        nextID &+= 1
        // The task stays alive while registered: it unregisters before its body returns, and
        // `watch` cancels only under this lock.
        entries[id] = Entry(deadline: deadline, task: task)
        if wakesAt.map({ deadline < $0 }) ?? true { condition.signal() }
        return id
    }

    private func unregister(_ id: UInt64) {
        condition.lock()
        entries[id] = nil
        condition.unlock()
    }

    private func watch() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            var earliest: ContinuousClock.Instant?
            for (id, entry) in entries {
                if entry.deadline <= now {
                    entry.task.cancel()
                    entries[id] = nil
                } else if earliest.map({ entry.deadline < $0 }) ?? true {
                    earliest = entry.deadline
                }
            }
            wakesAt = earliest
            if let earliest {
                let (seconds, attoseconds) = (earliest - now).components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
            } else {
                condition.wait()
            }
        }
    }
}
