import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("gateway: access log")
struct AccessLogTests {
    /// The gateway in front of test-only handlers, logging into `lines` from `level` up.
    static func application(level: Logger.Level, lines: LogLines) -> some ApplicationProtocol {
        let router = Router(context: TalyRequestContext.self)
        router.add(middleware: GatewayMiddleware(settings: APIHarness.testGateway, metrics: MetricsRegistry()))
        router.get("/ok") { _, _ -> String in "ok" }
        router.get("/crashes") { _, _ -> String in throw CocoaError(.fileNoSuchFile) }
        var logger = Logger(label: "access-test") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = level
        return Application(router: router, logger: logger)
    }

    @Test("at info every answer is one line with its method, route, status and duration in ms")
    func infoLine() async throws {
        let lines = LogLines()
        try await Self.application(level: .info, lines: lines).test(.router) { client in
            _ = try await client.call(.get, "/ok", headers: [.xRequestID: "line-1"])
        }
        let line = try #require(lines.all.first { $0.message == "request" })
        #expect(line.level == .info)
        #expect(line.metadata["method"] == "GET")
        #expect(line.metadata["path"] == "/ok")
        #expect(line.metadata["route"] == "/ok")
        #expect(line.metadata["status"] == "200")
        #expect(line.metadata["request_id"] == "line-1")
        let duration = try #require(line.metadata["duration_ms"])
        #expect(duration.wholeMatch(of: /[0-9]+\.[0-9]{3}/) != nil, "\(duration)")
    }

    @Test("below info no access line is written, but an internal failure still is")
    func quietLevel() async throws {
        let lines = LogLines()
        try await Self.application(level: .warning, lines: lines).test(.router) { client in
            let ok = try await client.call(.get, "/ok")
            #expect(ok.status == .ok)
            let crashes = try await client.call(.get, "/crashes")
            #expect(crashes.status == .internalServerError)
        }
        #expect(lines.all.map(\.message) == ["request failed"])
        #expect(lines.all.first?.metadata["route"] == "/crashes")
        #expect(lines.all.first?.metadata["error"]?.isEmpty == false)
    }

    @Test("durations are written as %.3f milliseconds would write them")
    func millisecondsText() {
        let seed = SplitMix64.testSeed()
        print("seed \(seed)")
        var generator = SplitMix64(seed: seed)
        var samples: [Double] = [0, 0.000_001, 0.000_999_4, 0.001, 0.012_345_6, 1.5, 30, 3600.25]
        for _ in 0..<500 { samples.append(Double(generator.next() % 10_000_000_000) / 1e9) }
        for seconds in samples {
            // Rounding the microseconds first can differ from %.3f only on an exact half.
            let microseconds = seconds * 1_000_000
            guard abs(microseconds - microseconds.rounded(.down) - 0.5) > 1e-6 else { continue }
            #expect(
                GatewayMiddleware.millisecondsText(seconds) == String(format: "%.3f", seconds * 1000), "\(seconds)")
        }
    }
}

/// Log events as a test reads them back.
final class LogLines: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    func append(_ line: Line) { lines.withLock { $0.append(line) } }
    var all: [Line] { lines.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        lines.append(
            LogLines.Line(
                level: event.level, message: event.message.description, metadata: merged.mapValues(\.description)))
    }
}
