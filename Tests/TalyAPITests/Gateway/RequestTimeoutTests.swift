import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import TalyIngest
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("gateway: request deadline")
struct RequestTimeoutTests {
    /// The real gateway and deadline middleware in front of test-only handlers, since no real
    /// route is slow on purpose.
    static func application(timeout: Duration, cancelled: CancellationFlag = CancellationFlag())
        -> some ApplicationProtocol
    {
        let router = Router(context: TalyRequestContext.self)
        router.add(middleware: GatewayMiddleware(settings: APIHarness.testGateway, metrics: MetricsRegistry()))
        var settings = APIHarness.testGateway
        settings.requestTimeout = timeout
        settings.ingestTimeout = .seconds(20)
        router.add(middleware: RequestTimeoutMiddleware(settings: settings, placements: RoutePlacements()))
        router.get("/sleeps") { _, _ -> String in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.set()
                throw error
            }
            return "woke"
        }
        // A handler stuck in synchronous work, as in a long store call: it cannot be cancelled.
        router.get("/blocks") { _, _ -> String in
            let end = ContinuousClock.now + .milliseconds(400)
            while ContinuousClock.now < end { usleep(5_000) }
            return "finished"
        }
        router.get("/fast") { _, _ -> String in "fast" }
        // Bulk ingest's path: the same blocking work is within its longer deadline.
        router.get(RouterPath(IngestController.path)) { _, _ -> String in
            let end = ContinuousClock.now + .milliseconds(400)
            while ContinuousClock.now < end { usleep(5_000) }
            return "ingested"
        }
        router.get("/fails") { _, _ -> String in throw APIError(.notFound, "no such thing") }
        return Application(router: router)
    }

    @Test("a handler past the deadline is answered 504 timeout and cancelled")
    func sleepingHandler() async throws {
        let cancelled = CancellationFlag()
        try await Self.application(timeout: .milliseconds(50), cancelled: cancelled).test(.router) { client in
            let response = try await client.call(.get, "/sleeps", headers: [.xRequestID: "slow-1"])
            #expect(response.status == .gatewayTimeout)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.problemKind == "timeout")
            #expect(response.object["status"] as? Int == 504)
            #expect(response.object["request_id"] as? String == "slow-1")
            #expect((response.object["detail"] as? String)?.contains("50 ms") == true)
        }
        // The 30 s sleep was cancelled rather than awaited to its end.
        #expect(cancelled.isSet)
    }

    @Test("a handler that ignores cancellation still gets a 504 once it returns")
    func blockingHandler() async throws {
        try await Self.application(timeout: .milliseconds(50)).test(.router) { client in
            let response = try await client.call(.get, "/blocks")
            #expect(response.status == .gatewayTimeout)
            #expect(response.problemKind == "timeout")
        }
    }

    @Test("bulk ingest has its own, longer deadline")
    func ingestDeadline() async throws {
        try await Self.application(timeout: .milliseconds(50)).test(.router) { client in
            let ingest = try await client.call(.get, IngestController.path)
            #expect(ingest.status == .ok)
            #expect(ingest.text == "ingested")
            #expect(try await client.call(.get, "/blocks").status == .gatewayTimeout)
        }
        #expect(GatewaySettings.defaults.ingestTimeout == .seconds(3600))
        let resolved = try TalyConfiguration.resolve(
            flags: ConfigurationLayer(), configFile: nil, environment: ["TALY_INGEST_TIMEOUT_SECONDS": "600"])
        #expect(resolved.gateway.ingestTimeout == .seconds(600))
        #expect(resolved.gateway.requestTimeout == .seconds(30))
    }

    @Test("answers and errors within the deadline pass through unchanged")
    func withinDeadline() async throws {
        // The deadline is wall clock, kept by a thread outside the concurrency pool, so it is set
        // far beyond what a parallel test run on two loaded cores can delay these quick handlers.
        try await Self.application(timeout: .seconds(600)).test(.router) { client in
            let fast = try await client.call(.get, "/fast")
            #expect(fast.status == .ok)
            #expect(fast.text == "fast")
            let fails = try await client.call(.get, "/fails")
            #expect(fails.status == .notFound)
            #expect(fails.problemKind == "not-found")
            let blocks = try await client.call(.get, "/blocks")
            #expect(blocks.text == "finished")
        }
    }

    @Test(
        "over the real server a bounded GET and the costed search routes start on their event loop; the other search routes and a POST on the pool"
    )
    func handlerThreads() async throws {
        // The search routes as SearchController declares them: their placement comes from their docs.
        let searchRoutes = RouteRegistry(
            router: Router(context: TalyRequestContext.self), placements: RoutePlacements())
        SearchController(collections: SearchCollections(root: "/nonexistent"), metrics: MetricsRegistry())
            .register(searchRoutes)
        for doc in searchRoutes.docs {
            #expect(doc.work == (doc.path == "/v1/search" ? .costed : .unbounded), "\(doc.method) \(doc.path)")
        }
        let searchReads = searchRoutes.docs.filter { $0.method == .get }
        #expect(Set(searchReads.map(\.path)) == ["/v1/search", "/v1/facet-search"])
        let costedPost = try #require(searchRoutes.docs.first { $0.method == .post && $0.path == "/v1/search" })

        let router = Router(context: TalyRequestContext.self)
        let placements = RoutePlacements()
        router.add(middleware: RequestTimeoutMiddleware(settings: APIHarness.testGateway, placements: placements))
        let api = RouteRegistry(router: router, placements: placements)
        // NIO names its event-loop threads `NIO-…` (`NIO-SGLTN-…` for the singleton group); the
        // cooperative pool's are Dispatch's.
        for method in [HTTPRequest.Method.get, .post] {
            api.add(RouteDoc(method, "/thread", summary: "thread", tag: "test", access: .open)) { _, _ in
                Self.threadName()
            }
        }
        api.add(RouteDoc(.get, "/unbounded", summary: "thread", tag: "test", access: .open, work: .unbounded)) { _, _ in
            Self.threadName()
        }
        // The real docs, with a handler that names its thread.
        for doc in searchReads + [costedPost] { api.add(doc) { _, _ in Self.threadName() } }
        let application = Application(
            router: router, server: .eventLoopBoundHTTP1(configuration: .init()),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in
            for _ in 0..<3 {
                let get = try await client.call(.get, "/thread")
                #expect(get.text.hasPrefix("NIO-"), "GET ran on \(get.text)")
                let post = try await client.call(.post, "/thread")
                #expect(!post.text.hasPrefix("NIO-"), "POST ran on \(post.text)")
                for path in ["/unbounded", "/v1/facet-search"] {
                    let answer = try await client.call(.get, path)
                    #expect(!answer.text.hasPrefix("NIO-"), "GET \(path) ran on \(answer.text)")
                }
                // A costed route starts on the loop, where its handler estimates the work.
                for method in [HTTPRequest.Method.get, .post] {
                    let answer = try await client.call(method, "/v1/search")
                    #expect(answer.text.hasPrefix("NIO-"), "\(method) /v1/search started on \(answer.text)")
                }
            }
        }
        #expect(placements.runsOnEventLoop(.head, endpoint: "/thread"))
        #expect(placements.runsOnEventLoop(.head, endpoint: "/v1/search"))
        #expect(!placements.runsOnEventLoop(.head, endpoint: "/v1/facet-search"))
        #expect(placements.runsOnEventLoop(.post, endpoint: "/v1/search"))
        #expect(!placements.runsOnEventLoop(.delete, endpoint: "/thread"))
    }

    @Test(
        "a costed route runs cheap work on its event loop, expensive work and work that overran its loop budget on the pool"
    )
    func costedPlacement() async throws {
        let router = Router(context: TalyRequestContext.self)
        let placements = RoutePlacements()
        router.add(middleware: RequestTimeoutMiddleware(settings: APIHarness.testGateway, placements: placements))
        let api = RouteRegistry(router: router, placements: placements)
        // The work names the threads it ran on; `overrun` makes it run past any deadline short of
        // the route's, as a search the estimate misjudged.
        api.add(RouteDoc(.get, "/placed", summary: "placed", tag: "test", access: .open, work: .costed)) {
            request, context in
            let cost = Int(request.uri.queryParameters.get("cost") ?? "") ?? 0
            let overruns = request.uri.queryParameters.get("overrun") != nil
            var threads: [String] = []
            try await SearchPlacement.run(cost: cost, deadline: context.deadline) { deadline in
                threads.append(Self.threadName())
                if overruns, let deadline, deadline < context.deadline! {
                    while ContinuousClock.now < deadline { usleep(200) }
                    throw APIError(.timeout, "stopped at the loop's budget")
                }
            }
            return threads.joined(separator: ",")
        }
        let application = Application(
            router: router, server: .eventLoopBoundHTTP1(configuration: .init()),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in
            for _ in 0..<3 {
                // Cheap work runs on the loop while no other search runs; a live search of a test
                // running beside this one sends it to the pool, so it is tried until it finds the
                // server quiet (`placementUnderLoad` checks the rule itself).
                var onLoop = false
                for _ in 0..<20 where !onLoop {
                    let cheap = try await client.call(.get, "/placed?cost=\(SearchPlacement.loopCostLimit)")
                    #expect(!cheap.text.contains(","), "cheap work ran twice: \(cheap.text)")
                    onLoop = cheap.text.hasPrefix("NIO-")
                }
                #expect(onLoop, "cheap work never ran on its loop")
                let expensive = try await client.call(.get, "/placed?cost=\(SearchPlacement.loopCostLimit + 1)")
                #expect(
                    !expensive.text.hasPrefix("NIO-") && !expensive.text.contains(","),
                    "expensive work ran on \(expensive.text)")
                // Work that overruns its loop budget starts again on the pool (when it started on the loop).
                var rerun = false
                for _ in 0..<20 where !rerun {
                    let overrun = try await client.call(.get, "/placed?cost=1&overrun=1")
                    let threads = overrun.text.split(separator: ",")
                    guard threads.first?.hasPrefix("NIO-") == true else { continue }
                    #expect(threads.count == 2, "overrunning work ran on \(overrun.text)")
                    #expect(threads.last?.hasPrefix("NIO-") == false, "overrunning work ran on \(overrun.text)")
                    rerun = true
                }
                #expect(rerun, "the overrunning work never started on its loop")
            }
        }
    }

    @Test("a cheap search runs on its loop only while no other search runs")
    func placementUnderLoad() {
        #expect(SearchPlacement.runsOnLoop(cost: SearchPlacement.loopCostLimit, others: 0))
        #expect(!SearchPlacement.runsOnLoop(cost: SearchPlacement.loopCostLimit, others: 1))
        #expect(!SearchPlacement.runsOnLoop(cost: SearchPlacement.loopCostLimit + 1, others: 0))
        #expect(!SearchPlacement.runsOnLoop(cost: .max, others: 0))
    }

    /// The calling thread's name, as Linux keeps it.
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unknown")
            .trimmingCharacters(in: .newlines)
    }

    @Test("the deadline is configurable and defaults to 30 s")
    func configuration() throws {
        #expect(GatewaySettings.defaults.requestTimeout == .seconds(30))
        let resolved = try TalyConfiguration.resolve(
            flags: ConfigurationLayer(), configFile: nil, environment: ["TALY_REQUEST_TIMEOUT_SECONDS": "7"])
        #expect(resolved.gateway.requestTimeout == .seconds(7))
        let dir = try TemporaryDirectory()
        let file = dir.path("taly.json")
        try Data(#"{"request_timeout_seconds": 90}"#.utf8).write(to: URL(fileURLWithPath: file))
        let fromFile = try TalyConfiguration.resolve(flags: ConfigurationLayer(), configFile: file, environment: [:])
        #expect(fromFile.gateway.requestTimeout == .seconds(90))
        for bad in ["0", "-3", "soon"] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                _ = try TalyConfiguration.resolve(
                    flags: ConfigurationLayer(), configFile: nil, environment: ["TALY_REQUEST_TIMEOUT_SECONDS": bad])
            }
        }
    }
}

/// Set by a test handler when its task is cancelled.
final class CancellationFlag: Sendable {
    private let state = Mutex(false)

    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
