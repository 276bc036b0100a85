import Foundation

/// Where the store reads the current time: injectable so expiry can be tested without sleeping.
public protocol StoreClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemStoreClock: StoreClock {
    /// A clock reading `Date()`.
    public init() {}

    /// The current wall-clock time.
    public func now() -> Date { Date() }
}
