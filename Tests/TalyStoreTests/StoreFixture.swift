import Foundation
import Synchronization
import TalyTestSupport

@testable import TalyStore

/// A clock that moves only when a test says so.
final class ManualClock: StoreClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A real store file in a temporary directory, with a manual clock.
struct StoreFixture {
    let directory: TemporaryDirectory
    let clock: ManualClock
    let store: Store

    init() throws {
        directory = try TemporaryDirectory()
        clock = ManualClock()
        store = try Store(path: directory.path("taly.sqlite"), clock: clock)
    }

    /// A tenant created through the bootstrap, with its scope.
    func makeTenant(_ name: String, adminEmail: String = "owner@example.com") throws -> (TenantBootstrap, TenantScope) {
        let bootstrap = try store.createTenant(name: name, adminEmail: adminEmail)
        return (bootstrap, try store.tenant(bootstrap.tenant.id!))
    }
}
