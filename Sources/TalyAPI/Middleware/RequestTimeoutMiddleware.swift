import Hummingbird

/// Answers 504 `timeout` when the rest of the chain has not produced a response within the
/// deadline of its route (`GatewaySettings.timeout(endpoint:)`: bulk ingest has a longer one),
/// and cancels it; a response that comes later is dropped.
///
/// Cancellation is cooperative: a handler inside one synchronous store call finishes that call
/// before the answer goes out, and a change it was making may have been saved (clients retry
/// with `If-Match`, which makes a repeated change a 412 rather than a second write). The
/// deadline covers producing the response head, not streaming its body.
struct RequestTimeoutMiddleware: RouterMiddleware {
    typealias Context = TalyRequestContext

    let settings: GatewaySettings

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let timeout = settings.timeout(endpoint: context.endpointPath)
        let deadline = ContinuousClock.now + timeout
        // The task group awaits both children before it returns, so `next` never outlives
        // this call even though a child task runs it.
        return try await withoutActuallyEscaping(next) { next in
            let handler = HandlerTransfer(next)
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler.run(request, context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                // A handler holding its thread can delay the timer past its own end: the clock,
                // not the order the two children finish in, says whether the deadline was kept.
                if let response = try await group.next() ?? nil, ContinuousClock.now <= deadline { return response }
                throw APIError(
                    .timeout,
                    "the request did not finish within \(Self.describe(timeout)); a change it was making may "
                        + "still have been saved")
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
