import Foundation
import GRDB
import Synchronization
import TalyTestSupport
import Testing

@testable import TalyStore

/// A payload the tests can trace back to the write that made it.
struct TestPayload: Codable, Equatable {
    let writer: Int
    let sequence: Int
}

extension TenantScope {
    /// Writes one test event in its own transaction and returns its id.
    @discardableResult
    func appendTestEvent(writer: Int = 0, sequence: Int) throws -> OutboxEventID {
        try store.write { db in
            try appendEvent(
                db, aggregateType: "test", aggregateID: Int64(sequence), eventType: "test.happened",
                payload: TestPayload(writer: writer, sequence: sequence), at: now
            ).id!
        }
    }
}

@Suite("outbox")
struct OutboxTests {
    @Test("consumers read every event once, in id order, in batches of any size")
    func ordering() throws {
        let seed = SplitMix64.testSeed()
        print("OutboxTests.ordering seed \(seed)")
        var random = SplitMix64(seed: seed)
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let (_, b) = try fixture.makeTenant("b")
        var written: [(TenantID, OutboxEventID)] = []
        for sequence in 0..<300 {
            let scope = Bool.random(using: &random) ? a : b
            written.append((scope.tenantID, try scope.appendTestEvent(sequence: sequence)))
        }
        #expect(try fixture.store.outboxPosition() == written.last!.1)

        let all = try fixture.store.outboxConsumer(named: "index-sync")
        var seen: [OutboxEventID] = []
        while true {
            let batch = try all.pendingEvents(limit: Int.random(in: 1...40, using: &random))
            guard let last = batch.last else { break }
            seen += batch.map { $0.id! }
            try all.acknowledge(through: last.id!)
        }
        #expect(seen == written.map(\.1), "seed \(seed)")

        let onlyA = try a.outboxConsumer(named: "webhooks")
        let events = try onlyA.pendingEvents(limit: 1000)
        #expect(events.map { $0.id! } == written.filter { $0.0 == a.tenantID }.map(\.1), "seed \(seed)")
        #expect(events.map { try! $0.decodePayload(TestPayload.self).sequence }.isSorted())
    }

    @Test("a consumer reading some payloads only gets the same events, the other payloads empty")
    func payloadsOfSomeTypes() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        for sequence in 0..<6 {
            try a.store.write { db in
                _ = try a.appendEvent(
                    db, aggregateType: sequence % 2 == 0 ? "test" : "other", aggregateID: Int64(sequence),
                    eventType: "test.happened", payload: TestPayload(writer: 0, sequence: sequence), at: a.now)
            }
        }
        let plain = try fixture.store.outboxConsumer(named: "index-sync")
        let some = plain.readingPayloads(only: ["test", "absent"])
        for (every, partial) in [
            (plain, some),
            (try a.outboxConsumer(named: "t"), try a.outboxConsumer(named: "t").readingPayloads(only: ["test"])),
        ] {
            let events = try every.pendingEvents(limit: 100)
            let read = try partial.events(after: OutboxEventID(0), limit: 100)
            #expect(events.count >= 6)
            #expect(read.map(\.id) == events.map(\.id))
            #expect(read.map(\.aggregateType) == events.map(\.aggregateType))
            #expect(read.map(\.aggregateID) == events.map(\.aggregateID))
            for (event, partial) in zip(events, read) {
                #expect(!event.payload.isEmpty)
                #expect(
                    partial.payload == (event.aggregateType == "test" ? event.payload : ""), "\(event.aggregateType)")
            }
        }
        #expect(try plain.readingPayloads(only: []).pendingEvents(limit: 100).allSatisfy { $0.payload.isEmpty })
    }

    @Test("a consumer that crashes before acknowledging gets the same events again, after a restart too")
    func atLeastOnce() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let ids = try (0..<5).map { try a.appendTestEvent(sequence: $0) }
        let consumer = try fixture.store.outboxConsumer(named: "index-sync")
        let first = try consumer.pendingEvents(limit: 3)
        #expect(first.map { $0.id! } == Array(ids[0..<3]))
        // No acknowledgment: the "crash". The same process and a fresh one both see them again.
        #expect(try consumer.pendingEvents(limit: 3) == first)
        let restarted = try Store(path: fixture.store.path, clock: fixture.clock)
        let reopened = try restarted.outboxConsumer(named: "index-sync", startingAt: .latest)
        #expect(try reopened.checkpoint() == OutboxEventID(0), "an existing consumer keeps its checkpoint")
        #expect(try reopened.pendingEvents(limit: 3) == first)

        try reopened.acknowledge(through: ids[2])
        #expect(try consumer.pendingEvents(limit: 10).map { $0.id! } == Array(ids[3...]))
        // A late acknowledgment of an older batch does not move the checkpoint back.
        try consumer.acknowledge(through: ids[0])
        #expect(try consumer.checkpoint() == ids[2])
        #expect {
            try consumer.acknowledge(through: OutboxEventID(ids[4].rawValue + 1))
        } throws: { error in
            guard case .invalid(let field, _) = error as? StoreError else { return false }
            return field == "eventID"
        }
    }

    @Test("a consumer replays from any event id or from a point in time")
    func replay() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        var ids: [OutboxEventID] = []
        for sequence in 0..<6 {
            ids.append(try a.appendTestEvent(sequence: sequence))
            fixture.clock.advance(by: 10)
        }
        let consumer = try a.outboxConsumer(named: "search", startingAt: .latest)
        #expect(try consumer.pendingEvents().isEmpty)

        try consumer.resetCheckpoint(to: ids[1])
        #expect(try consumer.pendingEvents().map { $0.id! } == Array(ids[2...]))
        let fourth = try #require(try a.outboxEvents(limit: 100).first { $0.id == ids[3] })
        try consumer.resetCheckpoint(toEventsSince: fourth.createdAt)
        #expect(try consumer.pendingEvents().map { $0.id! } == Array(ids[3...]))
        try consumer.resetCheckpoint(toEventsSince: fourth.createdAt.addingTimeInterval(-5))
        #expect(try consumer.pendingEvents().map { $0.id! } == Array(ids[3...]))
        try consumer.resetCheckpoint(toEventsSince: Date.distantPast)
        #expect(try consumer.pendingEvents().map { $0.id! } == ids)
        try consumer.resetCheckpoint(to: ids[5])
        #expect(try consumer.pendingEvents().isEmpty)
        #expect {
            try consumer.resetCheckpoint(to: OutboxEventID(ids[5].rawValue + 1))
        } throws: { error in
            guard case .invalid(let field, _) = error as? StoreError else { return false }
            return field == "eventID"
        }
    }

    @Test("old events are pruned; a consumer behind the horizon is told to rebuild; ids are never reused")
    func retention() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = try Store(path: directory.path("taly.sqlite"), clock: clock, outboxRetention: 60)
        let a = try store.tenant(store.createTenant(name: "a", adminEmail: "o@example.com").tenant.id!)
        let slow = try store.outboxConsumer(named: "slow")
        let old = try (0..<4).map { try a.appendTestEvent(sequence: $0) }
        let upToDate = try store.outboxConsumer(named: "up-to-date", startingAt: .latest)
        clock.advance(by: 30)
        let middle = try a.appendTestEvent(sequence: 4)
        clock.advance(by: 45)
        // Now the first four are 75 s old, the fifth 45 s: only the first four go.
        #expect(try store.pruneOutbox(batchSize: 3) == 4)
        #expect(try a.outboxEvents().map { $0.id! } == [middle])
        #expect(try store.pruneOutbox() == 0)

        #expect(
            throws: StoreError.outboxConsumerBehind(consumer: "slow", checkpoint: 0, prunedThrough: old[3].rawValue)
        ) {
            try slow.pendingEvents()
        }
        #expect(try upToDate.pendingEvents().map { $0.id! } == [middle])
        #expect(
            throws: StoreError.outboxConsumerBehind(
                consumer: "up-to-date", checkpoint: old[1].rawValue, prunedThrough: old[3].rawValue)
        ) {
            try upToDate.resetCheckpoint(to: old[1])
        }
        #expect {
            try upToDate.resetCheckpoint(toEventsSince: clock.now().addingTimeInterval(-3600))
        } throws: { error in
            guard case .outboxConsumerBehind = error as? StoreError else { return false }
            return true
        }
        // The documented recovery: rebuild from the store, then continue from the position read before.
        try slow.resetCheckpoint(to: old[3])
        #expect(try slow.pendingEvents().map { $0.id! } == [middle])

        clock.advance(by: 3600)
        #expect(try store.pruneOutbox() == 1)
        let reopened = try Store(path: store.path, clock: clock, outboxRetention: 60)
        let next = try reopened.tenant(a.tenantID).appendTestEvent(sequence: 5)
        #expect(next.rawValue == middle.rawValue + 1, "ids continue after pruning everything")
        #expect(try reopened.outboxPosition() == next)
        #expect(throws: StoreError.invalid(field: "outboxRetention", reason: "must be a positive number of seconds")) {
            _ = try Store(path: store.path, outboxRetention: 0)
        }
    }

    @Test("a subscription wakes at once on an in-process commit, and never for a rolled-back one")
    func wakeUp() async throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let consumer = try fixture.store.outboxConsumer(named: "live", startingAt: .latest)
        // A poll interval far longer than the test: only the commit notification can wake it.
        let subscription = consumer.subscribe(pollInterval: .seconds(3600))
        let received = Mutex<[(OutboxEventID, ContinuousClock.Instant)]>([])
        let reader = Task {
            for try await batch in subscription {
                let now = ContinuousClock.now
                received.withLock { $0 += batch.map { ($0.id!, now) } }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        // A rolled-back write announces nothing.
        struct Abort: Error {}
        #expect(throws: StoreError.self) {
            try fixture.store.write { db -> Void in
                try a.appendEvent(
                    db, aggregateType: "test", aggregateID: 1, eventType: "test.rolled_back",
                    payload: TestPayload(writer: 0, sequence: -1), at: a.now)
                throw Abort()
            }
        }
        var latencies: [Duration] = []
        for sequence in 0..<20 {
            let id = try a.appendTestEvent(sequence: sequence)
            let start = ContinuousClock.now
            // A hang detector, not a timing bound: the subscription polls once an hour, so any
            // arrival before this deadline can only come from the commit notification. Speed
            // belongs to benchmarks; on a loaded machine parallel tests starve the cooperative
            // pool for seconds.
            let deadline = start + .seconds(120)
            while ContinuousClock.now < deadline, !received.withLock({ $0.contains { $0.0 == id } }) {
                try await Task.sleep(for: .milliseconds(1))
            }
            let arrival = try #require(received.withLock { $0.first { $0.0 == id }?.1 })
            // The commit hook may wake the reader before the write returns.
            latencies.append(max(arrival - start, .zero))
        }
        reader.cancel()
        _ = await reader.result
        latencies.sort()
        print("OutboxTests.wakeUp latency median \(latencies[latencies.count / 2]) max \(latencies.last!)")
        #expect(received.withLock { $0.count } == 20)
        #expect(try a.outboxEvents().allSatisfy { $0.eventType == "test.happened" })
    }

    @Test("writes by another process (another Store on the file) wake a subscription long before its poll interval")
    func otherProcessWakeUp() async throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let consumer = try fixture.store.outboxConsumer(named: "live", startingAt: .latest)
        // A second Store has its own notifier, as another process would: its commits move only
        // the data version the subscription checks.
        let other = try Store(path: fixture.store.path, clock: fixture.clock)
        let otherScope = try other.tenant(a.tenantID)
        let received = Mutex<[OutboxEventID]>([])
        let reader = Task {
            for try await batch in consumer.subscribe(pollInterval: .seconds(3600)) {
                received.withLock { $0 += batch.map { $0.id! } }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        let id = try otherScope.appendTestEvent(sequence: 1)
        // It polls once an hour, so an arrival before this deadline came from the data-version
        // check; a hang fails after 30 s. Not a timing bound: on a loaded machine the other
        // Store's write alone has taken seconds.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, received.withLock({ $0.isEmpty }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        reader.cancel()
        _ = await reader.result
        #expect(received.withLock { $0 } == [id])

        // Not acknowledged: a new subscription (after a crash) starts from the checkpoint again.
        var again = consumer.subscribe(pollInterval: .milliseconds(50)).makeAsyncIterator()
        #expect(try await again.next()?.map { $0.id! } == [id])
        try consumer.acknowledge(through: id)
        let next = try otherScope.appendTestEvent(sequence: 2)
        var afterAck = consumer.subscribe(pollInterval: .milliseconds(50)).makeAsyncIterator()
        #expect(try await afterAck.next()?.map { $0.id! } == [next])
    }

    @Test("with several writers at once, one consumer sees every event exactly once in id order")
    func concurrentWriters() async throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let (_, b) = try fixture.makeTenant("b")
        let consumer = try fixture.store.outboxConsumer(named: "index-sync", startingAt: .latest)
        let start = try fixture.store.outboxPosition()
        let writers = 4
        let perWriter = 150
        let reader = Task { () throws -> [OutboxEvent] in
            var seen: [OutboxEvent] = []
            for try await batch in consumer.subscribe(batchSize: 17, pollInterval: .seconds(3600)) {
                seen += batch
                try consumer.acknowledge(through: batch.last!.id!)
                if seen.count >= writers * perWriter { break }
            }
            return seen
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                let scope = writer.isMultiple(of: 2) ? a : b
                group.addTask {
                    for sequence in 0..<perWriter { try scope.appendTestEvent(writer: writer, sequence: sequence) }
                }
            }
            try await group.waitForAll()
        }
        let seen = try await reader.value
        let ids = seen.map { $0.id!.rawValue }
        #expect(ids == Array(start.rawValue + 1...start.rawValue + Int64(writers * perWriter)))
        for writer in 0..<writers {
            let sequences = seen.map { try! $0.decodePayload(TestPayload.self) }.filter { $0.writer == writer }
            #expect(sequences.map(\.sequence) == Array(0..<perWriter), "writer \(writer) in its own order")
        }
        #expect(try consumer.checkpoint().rawValue == ids.last)
    }

    @Test("tenant consumers see only their tenant, and names are per tenant")
    func tenantScoping() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let (_, b) = try fixture.makeTenant("b")
        let aIDs = try (0..<3).map { try a.appendTestEvent(sequence: $0) }
        let bIDs = try (0..<3).map { try b.appendTestEvent(sequence: $0) }
        let aHooks = try a.outboxConsumer(named: "webhooks")
        let bHooks = try b.outboxConsumer(named: "webhooks")
        let platformHooks = try fixture.store.outboxConsumer(named: "webhooks")
        #expect(try aHooks.pendingEvents().map { $0.id! } == aIDs)
        #expect(try bHooks.pendingEvents().map { $0.id! } == bIDs)
        #expect(try platformHooks.pendingEvents().map { $0.id! } == (aIDs + bIDs).sorted())
        try aHooks.acknowledge(through: aIDs.last!)
        #expect(try bHooks.checkpoint() == OutboxEventID(0))
        #expect(try platformHooks.checkpoint() == OutboxEventID(0))
        #expect(try a.outboxEvents().allSatisfy { $0.tenantID == a.tenantID })
        #expect(try a.outboxEvents(after: OutboxEventID(0), limit: 100).map { $0.id! } == aIDs)
        #expect { try a.outboxConsumer(named: "  ") } throws: { error in
            guard case .invalid(let field, _) = error as? StoreError else { return false }
            return field == "name"
        }
    }

    @Test(
        "a batch of events signals subscribers once at its commit, and a rollback leaves the next commit's signal armed"
    )
    func oneSignalPerCommit() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: a)
        let notifier = fixture.store.outboxNotifier
        let before = notifier.generation
        _ = try a.createContentItems(of: type.id!, (0..<5).map { ArticleType.draft("Item \($0)") }, by: .system)
        #expect(notifier.generation == before + 1)
        struct Abort: Error {}
        #expect(throws: StoreError.self) {
            try fixture.store.write { db -> Void in
                try a.appendEvent(
                    db, aggregateType: "test", aggregateID: 1, eventType: "test.rolled_back", payloadJSON: "{}",
                    at: a.now)
                throw Abort()
            }
        }
        #expect(notifier.generation == before + 1)
        _ = try a.createContentItem(of: type.id!, ArticleType.draft("After the rollback"), by: .system)
        #expect(notifier.generation == before + 2)
        #expect(try a.outboxEvents(limit: 100).filter { $0.aggregateType == "content_item" }.count == 6)
    }
}

extension Array where Element: Comparable {
    func isSorted() -> Bool { zip(self, dropFirst()).allSatisfy { $0 <= $1 } }
}
