import TalyIngest
import TalyStore

extension MetricsRegistry {
    /// Reports at every scrape the size of each tenant collection's index and each outbox
    /// consumer's lag, read then rather than polled.
    func reportIndexesAndOutbox(store: any RecordStore, collections: SearchCollections) {
        addScrapeHook {
            let sizes = collections.sizes()
            let labels = sizes.map {
                ["tenant": String($0.tenantID.rawValue), "collection": $0.collection.description]
            }
            var families = [
                GaugeFamily(
                    name: "taly_index_size_bytes", help: "Bytes on disk of the current index of a tenant's collection.",
                    samples: zip(labels, sizes).map { GaugeSample($0, Double($1.bytes)) }),
                GaugeFamily(
                    name: "taly_index_documents", help: "Live documents in the current index of a tenant's collection.",
                    samples: zip(labels, sizes).map { GaugeSample($0, Double($1.documents)) }),
            ]
            // With the database unavailable the lag is missing from the scrape rather than wrong.
            if let lags = try? store.outboxConsumerLags() {
                families.append(
                    GaugeFamily(
                        name: "taly_outbox_lag_events",
                        help:
                            "Outbox events the consumer has not acknowledged (newest event id - checkpoint); "
                            + "tenant is empty for a consumer of every tenant.",
                        samples: lags.map {
                            GaugeSample(
                                ["consumer": $0.name, "tenant": $0.tenantID.map { String($0.rawValue) } ?? ""],
                                Double($0.events))
                        }))
            }
            return families
        }
    }
}
