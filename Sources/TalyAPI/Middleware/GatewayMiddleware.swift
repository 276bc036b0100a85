import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TalyStore

/// The outermost middleware of every route: gives the request its id and client address,
/// refuses oversized bodies and unsupported expectations up front, turns every thrown error into a problem+json answer, adds
/// the security headers, records metrics and writes the access log line.
struct GatewayMiddleware: RouterMiddleware {
    typealias Context = TalyRequestContext

    let settings: GatewaySettings
    let metrics: MetricsRegistry

    /// Response headers every answer carries: the API serves JSON only, never a page to frame.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.xContentTypeOptions, "nosniff"),
        (.xFrameOptions, "DENY"),
        (.contentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'"),
        (.referrerPolicy, "no-referrer"),
        (.cacheControl, "no-store"),
    ]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID = Self.acceptedRequestID(request.headers[.xRequestID]) ?? Self.generateRequestID()
        context.clientAddress = clientAddress(request, context: context)
        context.limits = settings
        context.logger[metadataKey: "request_id"] = .string(context.requestID)

        var response: Response
        var internalFailure: (any Error)?
        do {
            let limit = settings.maxBodyBytes(endpoint: context.endpointPath)
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                // The body is not wanted: the connection ends rather than read it to its end.
                throw APIError(
                    .payloadTooLarge, "the request body is \(length) bytes; the limit is \(limit)",
                    headers: [.connection: "close"])
            }
            var request = request
            try ExpectContinue.prepare(&request, channel: context.channel)
            response = try await next(request, context)
        } catch {
            let problem: APIError
            if let known = APIError.from(error) {
                problem = known
            } else {
                internalFailure = error
                problem = APIError(.internalError, "internal error; quote request id \(context.requestID)")
            }
            response = problem.response(requestID: context.requestID, instance: request.uri.path)
        }
        response.headers[.xRequestID] = context.requestID
        for (name, value) in Self.securityHeaders where response.headers[name] == nil {
            response.headers[name] = value
        }

        let seconds = Self.seconds(ContinuousClock.now - started)
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(
            method: request.method.rawValue, route: route, status: Int(response.status.code), seconds: seconds)
        // The access line is at info: below the configured level it costs nothing, not even the
        // metadata (formatting it was a tenth of a bare route's CPU at the default `warning`).
        if internalFailure != nil || context.logger.logLevel <= .info {
            var metadata = accessMetadata(request, context: context, route: route, status: response.status.code)
            metadata["duration_ms"] = .string(Self.millisecondsText(seconds))
            if let internalFailure {
                metadata["error"] = .string(String(describing: internalFailure))
                context.logger.error("request failed", metadata: metadata)
            } else {
                context.logger.info("request", metadata: metadata)
            }
        }
        return response
    }

    func accessMetadata(_ request: Request, context: Context, route: String, status: Int) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "route": .string(route),
            "status": .stringConvertible(status),
            "client": .string(context.clientAddress),
        ]
        // Set by the auth middleware on its own copy of the context, hence the shared box.
        if let caller = context.caller.value {
            metadata["tenant_id"] = .stringConvertible(caller.tenantID.rawValue)
            metadata["actor"] = .string(Self.describe(caller.actor))
        }
        return metadata
    }

    /// Milliseconds with three decimals, as `%.3f` writes them, without Foundation's formatter.
    static func millisecondsText(_ seconds: Double) -> String {
        let microseconds = Int((seconds * 1_000_000).rounded())
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// A caller's request id is kept when it is 1 to 128 characters of letters, digits, `-`, `_`,
    /// `.` or `:`, so it can go into logs and headers unescaped.
    static func acceptedRequestID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
            })
        else { return nil }
        return value
    }

    /// `req_` and 24 random hex digits (96 bits), written into the string's own storage: one per
    /// request, where the radix conversions, padding and concatenations cost a few allocations.
    static func generateRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next()
        let low = generator.next() >> 32
        return String(unsafeUninitializedCapacity: 28) { buffer in
            for (index, byte) in "req_".utf8.enumerated() { buffer[index] = byte }
            for index in 0..<16 { buffer[4 + index] = hexDigit(high >> (60 - 4 * index)) }
            for index in 0..<8 { buffer[20 + index] = hexDigit(low >> (28 - 4 * index)) }
            return 28
        }
    }

    /// The lowercase hex digit of `value`'s low four bits.
    private static func hexDigit(_ value: UInt64) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: value & 0xF)
        return nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    func clientAddress(_ request: Request, context: Context) -> String {
        if settings.trustForwardedFor, let forwarded = request.headers[.xForwardedFor] {
            let first = forwarded.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if !first.isEmpty { return first }
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func describe(_ actor: TalyStore.Actor) -> String {
        switch actor {
        case .system: "system"
        case .user(let id): "user:\(id)"
        case .apiKey(let id): "api_key:\(id)"
        }
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
}
