import Foundation
import Hummingbird
import Synchronization

/// `/metrics` (Prometheus text) and `/openapi.json` (the document of every registered route).
struct GatewayController {
    let metrics: MetricsRegistry

    /// Registers `/metrics` now and `/openapi.json` last, so the document sees every route.
    func registerMetrics(_ api: RouteRegistry) {
        let metrics = metrics
        api.add(
            RouteDoc(
                .get, "/metrics", summary: "Prometheus metrics", tag: "gateway", access: .open,
                response: .string())
        ) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }

    /// Registers `/openapi.json`; call after every other route.
    static func registerOpenAPI(_ api: RouteRegistry) {
        let doc = RouteDoc(
            .get, "/openapi.json", summary: "This API's OpenAPI 3.1 document", tag: "gateway", access: .open,
            response: .freeObject)
        // The document describes itself too, so it is built once its own entry is registered.
        let document = DocumentBox()
        api.add(doc) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: document.data.withLock { $0 })))
        }
        let data =
            (try? JSONSerialization.data(
                withJSONObject: api.openAPIDocument(), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        document.data.withLock { $0 = data }
    }
}

/// The OpenAPI document's bytes, shared with the route that serves them.
private final class DocumentBox: Sendable {
    let data = Mutex(Data())
}
