import ArgumentParser
import Foundation
import TalyIndex
import TalyIngest
import TalyStore

/// The tenant whose indexes `taly index rebuild|verify` work on, and the data directory.
struct TenantIndexTarget: ParsableArguments {
    @OptionGroup var data: DataDirectoryOption
    @Option(help: "The tenant, by name or id.")
    var tenant: String

    /// The store, the data root and the tenant's id, or a one-line failure.
    func open() -> (store: any RecordStore, root: String, tenantID: TenantID) {
        let store = openStore(data)
        let root = dataDirectoryPath(data)
        let scope = orFail { () throws(StoreError) -> any TenantStore in
            if let id = Int64(tenant) { return try store.tenant(TenantID(id)) }
            return try store.tenant(named: tenant)
        }
        return (store, root, scope.tenantID)
    }

    /// A sync worker on the store, used for its rebuild and verify (its loop never runs here).
    func worker(store: any RecordStore, root: String) -> IndexSyncWorker {
        orFail { () throws(IndexSyncError) in try IndexSyncWorker(store: store, root: root) }
    }
}

extension IndexCommand {
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild a tenant's search indexes from the store.",
            discussion: """
                Each collection is built from the store in a new generation folder, committed, \
                then swapped in atomically: searches keep using the old generation until the \
                swap, and a running worker waits for the rebuild (per-tenant lock), then continues \
                on the new generation.
                """
        )
        @OptionGroup var target: TenantIndexTarget
        @Option(help: "One collection: a content type name, content/<name>, or products (default: every one).")
        var collection: String?

        func run() async throws {
            let (store, root, tenantID) = target.open()
            let worker = target.worker(store: store, root: root)
            let started = ContinuousClock.now
            if let collection {
                guard let parsed = SearchCollection(name: collection) else {
                    fail("--collection must be a content type name, content/<name> or products, not \"\(collection)\"")
                }
                do throws(IndexSyncError) {
                    try await worker.rebuild(tenantID: tenantID, collection: parsed)
                } catch {
                    fail(error.description)
                }
                report(worker, tenantID: tenantID, collections: [parsed])
            } else {
                do throws(IndexSyncError) { try await worker.rebuild(tenantID: tenantID) } catch {
                    fail(error.description)
                }
                let types = orFail { () throws(StoreError) in try store.tenant(tenantID).contentTypes() }
                report(worker, tenantID: tenantID, collections: types.map { .content(typeName: $0.name) } + [.products])
            }
            print("rebuilt in \(ContinuousClock.now - started)")
        }

        private func report(_ worker: IndexSyncWorker, tenantID: TenantID, collections: [SearchCollection]) {
            for collection in collections {
                let location = worker.location(tenantID: tenantID, collection: collection)
                let generation = orFail { () throws(IndexError) in try location.currentGeneration() } ?? "none"
                let reader = orFail { () throws(IndexError) in try location.openReader() }
                print(
                    "\(collection): \(reader?.documentCount ?? 0) documents in \(generation.split(separator: "/").last ?? "")"
                )
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a tenant's search indexes agree with the store.",
            discussion: """
                Lists every difference (an item or product missing from its index, an id the store \
                does not have there, a version mismatch, an outdated schema, a missing index) and \
                exits with status 1 if there is any. A running worker's unapplied events show up \
                as differences: run it again, or with the worker stopped, to tell lag from loss.
                """
        )
        @OptionGroup var target: TenantIndexTarget

        func run() async throws {
            let (store, root, tenantID) = target.open()
            let worker = target.worker(store: store, root: root)
            let differences = orFail { () throws(IndexSyncError) in try worker.verify(tenantID: tenantID) }
            for difference in differences { print(difference) }
            guard differences.isEmpty else {
                printError("taly: \(differences.count) difference(s) between the indexes and the store")
                throw ExitCode(1)
            }
            print("indexes and store agree")
        }
    }
}
