import Foundation
import TalyStore
import TalyTestSupport
import Testing

/// A store implementation the conformance suite runs against. A PostgreSQL store adds a case here
/// (and the suite runs unchanged against it).
enum StoreImplementation: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// A new, empty store of this implementation reading time from `clock`.
    func open(in directory: TemporaryDirectory, clock: ManualClock) throws -> any RecordStore {
        switch self {
        case .sqlite: try Store(path: directory.path("taly.sqlite"), clock: clock)
        }
    }
}

/// What every implementation of the store protocols promises, checked through the protocols only
/// (this file imports TalyStore without `@testable` and names no concrete store type past `open`):
/// tenant scoping, one transaction per call with its audit entries and events, typed errors,
/// outbox order and at-least-once delivery, no overselling, credentials resolving to their tenant.
@Suite("store conformance")
struct StoreConformanceTests {
    /// A store and two tenants in it, reached only as `any RecordStore` / `any TenantStore`.
    struct Fixture {
        let directory: TemporaryDirectory
        let clock: ManualClock
        let store: any RecordStore
        let first: TenantBootstrap
        let second: TenantBootstrap

        init(_ implementation: StoreImplementation) throws {
            directory = try TemporaryDirectory()
            clock = ManualClock()
            store = try implementation.open(in: directory, clock: clock)
            first = try store.createTenant(name: "first", adminEmail: "owner@first.example")
            second = try store.createTenant(name: "second", adminEmail: "owner@second.example")
        }

        func scope(_ bootstrap: TenantBootstrap) throws -> any TenantStore {
            try store.tenant(#require(bootstrap.tenant.id))
        }
    }

    static let articleFields = [ContentFieldDefinition(name: "body", type: .text, required: true, searchable: true)]

    static func product(_ sku: String, amount: Int64 = 500) throws -> ProductDraft {
        try ProductDraft(
            sku: sku, title: "Item \(sku)", description: "", price: try Money(amount: amount, currency: "EUR"),
            status: .active)
    }

    @Test(
        "a scope reaches only its tenant's records: another tenant's ids are not found, lists are its own",
        arguments: StoreImplementation.allCases)
    func tenantScoping(_ implementation: StoreImplementation) throws {
        let fixture = try Fixture(implementation)
        let first = try fixture.scope(fixture.first)
        let second = try fixture.scope(fixture.second)
        #expect(first.tenantID == fixture.first.tenant.id)
        #expect(try first.tenant().name == "first")

        let type = try first.createContentType(
            name: "article", displayName: "Article", fields: Self.articleFields, by: .system)
        let item = try first.createContentItem(
            of: try #require(type.id), ContentItemDraft(title: "Hello", fields: ["body": .string("text")]), by: .system)
        let product = try first.createProduct(try Self.product("MUG-1"), by: .system)
        let user = try first.createUser(
            email: "writer@first.example", displayName: "Writer", password: "correct horse", by: .system)

        #expect(throws: StoreError.notFound(entity: "content item", key: try #require(item.id).description)) {
            try second.contentItem(try #require(item.id))
        }
        #expect(throws: StoreError.self) { try second.contentType(try #require(type.id)) }
        #expect(throws: StoreError.self) { try second.product(try #require(product.id)) }
        #expect(throws: StoreError.self) { try second.user(try #require(user.id)) }
        #expect(try second.product(sku: "MUG-1") == nil)
        #expect(try second.contentItems().isEmpty)
        #expect(try second.products().isEmpty)
        #expect(try second.users().map(\.email) == ["owner@second.example"])
        #expect(try first.contentItems().map(\.id) == [item.id])
        #expect(try second.outboxEvents().allSatisfy { $0.tenantID == fixture.second.tenant.id })
        #expect(try first.outboxEvents().count >= 3)

        // The same name in two tenants is no clash: uniqueness is per tenant.
        _ = try second.createProduct(try Self.product("MUG-1"), by: .system)
        #expect(throws: StoreError.duplicate(entity: "product", field: "sku")) {
            try first.createProduct(try Self.product("MUG-1"), by: .system)
        }
        #expect(throws: StoreError.notFound(entity: "tenant", key: "missing")) {
            try fixture.store.tenant(named: "missing")
        }
        #expect(try fixture.store.tenants().map(\.name) == ["first", "second"])
    }

    @Test(
        "credentials resolve to their own tenant; a key used in another tenant's scope is refused",
        arguments: StoreImplementation.allCases)
    func credentials(_ implementation: StoreImplementation) throws {
        let fixture = try Fixture(implementation)
        let (keyScope, key) = try fixture.store.authenticate(bearer: fixture.first.apiKey)
        #expect(key.kind == .apiKey)
        #expect(key == .apiKey(try keyScope.authenticateAPIKey(fixture.first.apiKey)))
        #expect(keyScope.tenantID == fixture.first.tenant.id)
        #expect(try keyScope.authenticateAPIKey(fixture.first.apiKey).id == fixture.first.apiKeyRecord.id)
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try fixture.scope(fixture.second).authenticateAPIKey(fixture.first.apiKey)
        }

        let (signedIn, user) = try fixture.store.signIn(
            tenantName: "second", email: "owner@second.example", password: fixture.second.password)
        #expect(signedIn.tenantID == fixture.second.tenant.id)
        #expect(user.id == fixture.second.owner.id)
        let session = try signedIn.createSession(for: try #require(user.id))
        let (sessionScope, sessionCredential) = try fixture.store.authenticate(bearer: session.token)
        #expect(sessionCredential.kind == .session)
        #expect(sessionScope.tenantID == fixture.second.tenant.id)
        #expect(try sessionScope.validateSession(session.token).id == session.record.id)

        for (tenant, password) in [("second", "wrong password"), ("nobody", fixture.second.password)] {
            #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
                try fixture.store.signIn(tenantName: tenant, email: "owner@second.example", password: password)
            }
        }
        #expect(throws: StoreError.authenticationFailed(.invalidCredentials)) {
            try fixture.store.authenticate(bearer: "taly_nothing_here")
        }
    }

    @Test(
        "a batch is one transaction: a failure leaves no record, no audit entry and no event behind",
        arguments: StoreImplementation.allCases)
    func transactions(_ implementation: StoreImplementation) throws {
        let fixture = try Fixture(implementation)
        let scope = try fixture.scope(fixture.first)
        _ = try scope.createProduct(try Self.product("TAKEN"), by: .system)
        let events = try scope.outboxEvents().count
        let audit = try scope.auditLog().count

        #expect(throws: StoreError.duplicate(entity: "product", field: "products[1].sku")) {
            try scope.createProducts([try Self.product("NEW-1"), try Self.product("TAKEN")], by: .system)
        }
        struct CheckpointFailed: Error {}
        #expect(throws: StoreError.self) {
            try scope.bulkWriteProducts([try Self.product("NEW-2")], mode: .insert, by: .system) { _ in
                throw CheckpointFailed()
            }
        }
        #expect(try scope.product(sku: "NEW-1") == nil)
        #expect(try scope.product(sku: "NEW-2") == nil)
        #expect(try scope.ingestCheckpoint(inputKey: "input") == nil)
        #expect(try scope.outboxEvents().count == events)
        #expect(try scope.auditLog().count == audit)

        // The successful batch commits its records, its checkpoint, its audit and its events together.
        let outcomes = try scope.bulkWriteProducts(
            [try Self.product("NEW-2"), try Self.product("TAKEN", amount: 700)], mode: .upsert, by: .system
        ) { outcomes in IngestCheckpoint(inputKey: "input", recordsDone: Int64(outcomes.count)) }
        #expect(outcomes.count == 2)
        #expect(try scope.ingestCheckpoint(inputKey: "input")?.recordsDone == 2)
        #expect(try scope.product(sku: "TAKEN")?.price.amount == 700)
        #expect(try scope.outboxEvents().count == events + 2)
        #expect(try scope.auditLog().count > audit)
        try scope.clearIngestCheckpoint(inputKey: "input")
        #expect(try scope.ingestCheckpoint(inputKey: "input") == nil)
    }

    @Test(
        "a stale expected version is a version conflict, and the record keeps its newer state",
        arguments: StoreImplementation.allCases)
    func versions(_ implementation: StoreImplementation) throws {
        let fixture = try Fixture(implementation)
        let scope = try fixture.scope(fixture.first)
        let created = try scope.createProduct(try Self.product("MUG-1"), by: .system)
        let id = try #require(created.id)
        let updated = try scope.updateProduct(
            id, expectedVersion: created.version, with: try Self.product("MUG-1", amount: 900), by: .system)
        #expect(updated.version > created.version)
        #expect(
            throws: StoreError.versionConflict(
                entity: "product", id: id.rawValue, expected: created.version, actual: updated.version)
        ) {
            try scope.updateProduct(
                id, expectedVersion: created.version, with: try Self.product("MUG-1", amount: 1), by: .system)
        }
        #expect(try scope.product(id).price.amount == 900)
    }

    @Test(
        "outbox: each tenant's events in commit order, tenant consumers see their own, delivery at least once",
        arguments: StoreImplementation.allCases)
    func outbox(_ implementation: StoreImplementation) throws {
        let fixture = try Fixture(implementation)
        let first = try fixture.scope(fixture.first)
        let second = try fixture.scope(fixture.second)
        let platform = try fixture.store.outboxConsumer(named: "conformance", startingAt: .latest)
        let own = try first.outboxConsumer(named: "own", startingAt: .latest)
        #expect(try platform.checkpoint() == fixture.store.outboxPosition())

        var written: [(TenantID, String)] = []
        for index in 0..<6 {
            let scope = index.isMultiple(of: 2) ? first : second
            let product = try scope.createProduct(try Self.product("SKU-\(index)"), by: .system)
            written.append((scope.tenantID, "product.created"))
            if index.isMultiple(of: 3) {
                try scope.deleteProduct(try #require(product.id), expectedVersion: product.version, by: .system)
                written.append((scope.tenantID, "product.deleted"))
            }
        }

        // The promise is commit order per tenant (docs/store/outbox.md): the order between
        // tenants is SQLite's bonus, not part of the contract, so it is not checked.
        let pending = try platform.pendingEvents(limit: 100)
        #expect(pending.count == written.count)
        for tenant in [first.tenantID, second.tenantID] {
            let events = pending.filter { $0.tenantID == tenant }
            #expect(events.map(\.eventType) == written.filter { $0.0 == tenant }.map(\.1))
            let ids = events.compactMap(\.id?.rawValue)
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        }
        #expect(try fixture.store.outboxPosition() == pending.last?.id)
        #expect(try own.pendingEvents().map(\.id) == pending.filter { $0.tenantID == first.tenantID }.map(\.id))

        // Only acknowledgment moves the checkpoint: unacknowledged events come again, to a consumer
        // reopened under the same name too.
        #expect(try platform.pendingEvents(limit: 2).map(\.id) == pending.prefix(2).map(\.id))
        try platform.acknowledge(through: try #require(pending[1].id))
        // The lag monitoring reads: the newest event each consumer could read, and its checkpoint.
        let lags = try fixture.store.outboxConsumerLags()
        let platformLag = try #require(lags.first { $0.name == "conformance" && $0.tenantID == nil })
        #expect(platformLag.newest == pending.last?.id)
        #expect(platformLag.checkpoint == pending[1].id)
        #expect(platformLag.events == platformLag.newest.rawValue - platformLag.checkpoint.rawValue)
        let ownLag = try #require(lags.first { $0.name == "own" && $0.tenantID == first.tenantID })
        #expect(ownLag.newest == pending.last { $0.tenantID == first.tenantID }?.id)
        #expect(ownLag.events == ownLag.newest.rawValue - ownLag.checkpoint.rawValue)
        let reopened = try fixture.store.outboxConsumer(named: "conformance", startingAt: .beginning)
        #expect(try reopened.pendingEvents(limit: 100).map(\.id) == pending.dropFirst(2).map(\.id))
        try reopened.resetCheckpoint(to: try #require(pending[0].id))
        #expect(try platform.pendingEvents(limit: 1).map(\.id) == [pending[1].id])
        #expect(throws: StoreError.self) {
            try platform.acknowledge(through: OutboxEventID(try #require(pending.last?.id).rawValue + 1))
        }
    }

    @Test(
        "stock never oversells: a reservation beyond what is available is refused with the figures",
        arguments: StoreImplementation.allCases)
    func inventory(_ implementation: StoreImplementation) throws {
        let fixture = try Fixture(implementation)
        let scope = try fixture.scope(fixture.first)
        let product = try #require(try scope.createProduct(try Self.product("MUG-1"), by: .system).id)
        try scope.adjustStock(of: product, at: "paris", by: 5, by: .system)
        let reservation = try scope.reserve(3, of: product, at: "paris", by: .system)
        #expect(
            throws: StoreError.insufficientStock(
                productID: product.rawValue, location: "paris", requested: 3, available: 2)
        ) {
            try scope.reserve(3, of: product, at: "paris", by: .system)
        }
        try scope.commitReservation(try #require(reservation.id), by: .system)
        #expect(try scope.stock(of: product, at: "paris")?.onHand == 2)
        #expect(try scope.reservations(of: product).isEmpty)
    }

    @Test(
        "every change is audited in its tenant, in order, and the readiness check and publishing sweep answer",
        arguments: StoreImplementation.allCases)
    func auditAndMaintenance(_ implementation: StoreImplementation) throws {
        let fixture = try Fixture(implementation)
        try fixture.store.checkReadiness()
        let scope = try fixture.scope(fixture.first)
        let type = try scope.createContentType(
            name: "article", displayName: "Article", fields: Self.articleFields, by: .system)
        let due = fixture.clock.now().addingTimeInterval(60)
        let item = try scope.createContentItem(
            of: try #require(type.id),
            ContentItemDraft(title: "Later", fields: ["body": .string("text")], publishAt: due), by: .system)
        #expect(item.status == .draft)
        #expect(try fixture.store.publishDueContentItems() == 0)
        fixture.clock.advance(by: 61)
        #expect(try fixture.store.publishDueContentItems() == 1)
        #expect(try scope.contentItem(try #require(item.id)).status == .published)

        let actions = try scope.auditLog(limit: 1000).map(\.action)
        #expect(actions.first == "tenant.create")
        #expect(actions.suffix(3) == ["content_type.create", "content_item.create", "content_item.publish_scheduled"])
        #expect(
            try fixture.scope(fixture.second).auditLog(limit: 1000).allSatisfy {
                $0.tenantID == fixture.second.tenant.id
            })
    }
}
