import Foundation
import Synchronization

/// Counters, gauges and latency histograms in Prometheus' text format, served at `/metrics`.
///
/// The gateway records every request; other parts report through the hooks: `observeSearch`
/// (search latency), `setGauge` (a value pushed when it changes) and `addScrapeHook` (values
/// read at scrape time, such as index sizes and outbox lag, so nothing polls for them).
public final class MetricsRegistry: Sendable {
    /// Latency bucket bounds in seconds, from 100 µs (the HTTP overhead goal) to 10 s.
    public static let latencyBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    struct Histogram {
        var bucketCounts = [UInt64](repeating: 0, count: MetricsRegistry.latencyBuckets.count)
        var count: UInt64 = 0
        var sum: Double = 0

        mutating func observe(_ value: Double) {
            count += 1
            sum += value
            if let index = MetricsRegistry.latencyBuckets.firstIndex(where: { value <= $0 }) {
                bucketCounts[index] += 1
            }
        }
    }

    struct Gauge {
        var help: String
        var values: [String: Double]
    }

    struct State {
        var requests: [String: UInt64] = [:]
        var requestLatency: [String: Histogram] = [:]
        var searchLatency: [String: Histogram] = [:]
        var gauges: [String: Gauge] = [:]
    }

    private let state = Mutex(State())
    private let scrapeHooks = Mutex<[@Sendable () -> [GaugeFamily]]>([])

    /// An empty registry.
    public init() {}

    /// One answered request: counted by method, route pattern and status; timed by route.
    public func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        // Built in place, names already in order: this runs on every request, and a dictionary
        // sorted and escaped through Foundation per request was 8% of a bare route's CPU.
        let latencyLabels = "method=\"\(Self.escaped(method))\",route=\"\(Self.escaped(route))\""
        let counterLabels = latencyLabels + ",status=\"\(status)\""
        state.withLock { state in
            state.requests[counterLabels, default: 0] += 1
            state.requestLatency[latencyLabels, default: Histogram()].observe(seconds)
        }
    }

    /// Hook for the search routes: the engine's time for one search in `collection`.
    public func observeSearch(collection: String, seconds: Double) {
        // One label: built in place, like the request labels, since this runs on every search.
        let labels = "collection=\"\(Self.escaped(collection))\""
        state.withLock { state in state.searchLatency[labels, default: Histogram()].observe(seconds) }
    }

    /// Hook for values that go up and down: `taly_index_size_bytes{index=…}`,
    /// `taly_outbox_lag_events{consumer=…}`. `name` must be a Prometheus metric name.
    public func setGauge(_ name: String, help: String, labels: [String: String], value: Double) {
        let rendered = Self.labels(labels)
        state.withLock { state in
            state.gauges[name, default: Gauge(help: help, values: [:])].values[rendered] = value
        }
    }

    /// Adds a hook run at every scrape; the families it returns replace, whole, any earlier
    /// values of the same metrics, so a label that disappears (a deleted index) stops being
    /// reported. Hooks run outside the registry's lock and must be quick.
    public func addScrapeHook(_ hook: @escaping @Sendable () -> [GaugeFamily]) {
        scrapeHooks.withLock { $0.append(hook) }
    }

    /// Everything, in the Prometheus text exposition format 0.0.4.
    public func render() -> String {
        let families = scrapeHooks.withLock { $0 }.flatMap { $0() }
        var snapshot = state.withLock { $0 }
        for family in families {
            var values: [String: Double] = [:]
            for sample in family.samples { values[Self.labels(sample.labels)] = sample.value }
            snapshot.gauges[family.name] = Gauge(help: family.help, values: values)
        }
        var out = ""
        out += "# HELP taly_http_requests_total HTTP requests answered, by method, route pattern and status.\n"
        out += "# TYPE taly_http_requests_total counter\n"
        for (labels, count) in snapshot.requests.sorted(by: { $0.key < $1.key }) {
            out += "taly_http_requests_total{\(labels)} \(count)\n"
        }
        Self.render(
            histograms: snapshot.requestLatency, name: "taly_http_request_duration_seconds",
            help: "Time from request to response, by method and route pattern.", into: &out)
        Self.render(
            histograms: snapshot.searchLatency, name: "taly_search_duration_seconds",
            help: "Engine time of a search, by collection.", into: &out)
        for (name, gauge) in snapshot.gauges.sorted(by: { $0.key < $1.key }) {
            out += "# HELP \(name) \(gauge.help)\n# TYPE \(name) gauge\n"
            for (labels, value) in gauge.values.sorted(by: { $0.key < $1.key }) {
                out += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
            }
        }
        return out
    }

    private static func render(histograms: [String: Histogram], name: String, help: String, into out: inout String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (labels, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
            var cumulative: UInt64 = 0
            let prefix = labels.isEmpty ? "" : labels + ","
            for (bound, count) in zip(latencyBuckets, histogram.bucketCounts) {
                cumulative += count
                out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(histogram.count)\n"
            out += "\(name)_sum{\(labels)} \(histogram.sum)\n"
            out += "\(name)_count{\(labels)} \(histogram.count)\n"
        }
    }

    /// `a="1",b="2"` sorted by name, values escaped as the format requires.
    static func labels(_ pairs: [String: String]) -> String {
        pairs.sorted(by: { $0.key < $1.key }).map { name, value in "\(name)=\"\(escaped(value))\"" }
            .joined(separator: ",")
    }

    /// A label value with backslash, double quote and line feed escaped as the format requires.
    static func escaped(_ value: String) -> String {
        let special = value.utf8.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }
        guard special else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Every value of one gauge at a scrape, as a scrape hook reports it.
public struct GaugeFamily: Sendable {
    /// The Prometheus metric name.
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// One value per label set.
    public let samples: [GaugeSample]

    /// A gauge and its values.
    public init(name: String, help: String, samples: [GaugeSample]) {
        self.name = name
        self.help = help
        self.samples = samples
    }
}

/// One labelled value of a gauge.
public struct GaugeSample: Sendable {
    /// Label names and values.
    public let labels: [String: String]
    /// The value.
    public let value: Double

    /// A value with its labels.
    public init(_ labels: [String: String], _ value: Double) {
        self.labels = labels
        self.value = value
    }
}
