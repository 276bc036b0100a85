import Foundation
import Hummingbird

/// An error answered as RFC 9457 `application/problem+json`; the one place HTTP statuses are
/// chosen for failures.
public struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A short, stable, human-readable summary of the problem type.
    public let title: String
    /// What went wrong in this occurrence, naming the offending input.
    public let detail: String

    /// An error with an explicit status.
    public init(status: HTTPResponse.Status, title: String, detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    /// The service cannot take requests now (503).
    public static func unavailable(_ detail: String) -> APIError {
        APIError(status: .serviceUnavailable, title: "Service unavailable", detail: detail)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: [String: Any] = [
            "type": "about:blank",
            "title": title,
            "status": Int(status.code),
            "detail": detail,
            "instance": request.uri.path,
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
