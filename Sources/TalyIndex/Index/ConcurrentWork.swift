import Dispatch

/// Runs `body(0) … body(count − 1)` on up to `count` threads and returns when all are done.
///
/// The caller guarantees that iterations touch disjoint state (each indexing thread owns its
/// segment builder); that is why non-`Sendable` builders may cross into the worker threads here,
/// in this one audited place.
func runConcurrently(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
        if count == 1 { body(0) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
    }
}

/// Carries a value across a concurrency boundary the compiler cannot prove safe; see
/// ``runConcurrently(_:_:)`` for the one justification.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
