import Foundation
import GRDB

/// The platform's publishing sweep, run by a timer in the server.
extension Store {
    /// Publishes every tenant's drafts whose `publishAt` has come, tenant by tenant through its
    /// scope, in transactions of at most `batchSize` items; returns how many were published.
    @discardableResult
    public func publishDueContentItems(batchSize: Int) throws(StoreError) -> Int {
        let time = clock.now()
        // The partial index `content_item_due` answers this without reading published items.
        let tenants = try read { db in
            try TenantID.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT tenant_id FROM content_item
                    WHERE status = 'draft' AND publish_at IS NOT NULL AND publish_at <= ?
                    """,
                arguments: [time])
        }
        var total = 0
        for tenantID in tenants {
            let scope = TenantScope(tenantID: tenantID, store: self)
            while true {
                let published = try scope.publishDueContentItems(limit: max(1, batchSize)).count
                total += published
                if published < max(1, batchSize) { break }
            }
        }
        return total
    }
}
