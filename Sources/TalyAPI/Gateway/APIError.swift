import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import TalyStore

/// The kinds of problem the API answers, each with a stable `type` URI and its HTTP status.
///
/// Clients switch on `type`, never on `title` or `detail`; a kind's slug never changes once
/// published (docs/api/conventions.md lists them).
public enum ProblemKind: String, Sendable, CaseIterable {
    /// The request is wrong in a way no other kind covers.
    case badRequest = "bad-request"
    /// The body is empty, not UTF-8 or not JSON.
    case malformedBody = "malformed-body"
    /// No credential, or one that was refused.
    case unauthenticated = "unauthenticated"
    /// The credential lacks the permission.
    case forbidden = "forbidden"
    /// No such resource in the caller's tenant, or no such route.
    case notFound = "not-found"
    /// The route exists for other methods.
    case methodNotAllowed = "method-not-allowed"
    /// The change clashes with the current state (a taken unique value…).
    case conflict = "conflict"
    /// `If-Match` names a version that is no longer current.
    case preconditionFailed = "precondition-failed"
    /// The body is over the size limit.
    case payloadTooLarge = "payload-too-large"
    /// The body is not JSON.
    case unsupportedMediaType = "unsupported-media-type"
    /// Fields are invalid; `invalid_params` lists each.
    case validation = "validation"
    /// `Expect` asks for something other than `100-continue`.
    case expectationFailed = "expectation-failed"
    /// `If-Match` is missing on a change to an editable resource.
    case preconditionRequired = "precondition-required"
    /// Too many requests or failed sign-ins; see `Retry-After`.
    case rateLimited = "rate-limited"
    /// A failure of the server; details only in its log.
    case internalError = "internal"
    /// The service cannot work now (database unavailable…).
    case unavailable = "unavailable"
    /// The request did not finish within the configured deadline.
    case timeout = "timeout"

    /// The `type` member of the problem document.
    public var typeURI: String { "https://taly.dev/problems/\(rawValue)" }

    /// The HTTP status every problem of this kind carries.
    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest, .malformedBody: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict: .conflict
        case .preconditionFailed: .preconditionFailed
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .validation: .unprocessableContent
        case .expectationFailed: .expectationFailed
        case .preconditionRequired: .preconditionRequired
        case .rateLimited: .tooManyRequests
        case .internalError: .internalServerError
        case .unavailable: .serviceUnavailable
        case .timeout: .gatewayTimeout
        }
    }

    /// The short summary shared by every problem of this kind.
    public var title: String {
        switch self {
        case .badRequest: "Bad request"
        case .malformedBody: "Malformed request body"
        case .unauthenticated: "Authentication required"
        case .forbidden: "Permission denied"
        case .notFound: "Not found"
        case .methodNotAllowed: "Method not allowed"
        case .conflict: "Conflict"
        case .preconditionFailed: "Precondition failed"
        case .payloadTooLarge: "Request body too large"
        case .unsupportedMediaType: "Unsupported media type"
        case .validation: "Validation failed"
        case .expectationFailed: "Expectation failed"
        case .preconditionRequired: "Precondition required"
        case .rateLimited: "Too many requests"
        case .internalError: "Internal error"
        case .unavailable: "Service unavailable"
        case .timeout: "Request timed out"
        }
    }
}

/// One bad input field of a validation problem: `name` is the JSON path (`email`,
/// `price.amount`, `items[2].sku`) or the query parameter.
public struct InvalidParam: Sendable, Equatable, Codable {
    /// Where the bad value is.
    public let name: String
    /// What is wrong with it.
    public let reason: String

    /// A bad field and why.
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}

/// An error answered as RFC 9457 `application/problem+json`; the one place HTTP statuses are
/// chosen for failures. Every error a handler throws ends up as one of these
/// (`APIError.from(_:)`), with the request's `request_id`.
public struct APIError: Error, Sendable {
    /// Which problem this is; gives `type`, `status` and `title`.
    public let kind: ProblemKind
    /// What went wrong in this occurrence, naming the offending input.
    public let detail: String
    /// Every bad field, for validation problems.
    public var invalidParams: [InvalidParam]
    /// Headers the answer must carry (`Retry-After`, `WWW-Authenticate`, `Allow`…).
    public var headers: HTTPFields
    /// Members the problem document carries besides the standard ones (RFC 9457 §3.2), as the
    /// bytes of a JSON object: what a bulk request did before it failed. Standard members win
    /// over a clashing name.
    public var extensionMembers: Data?

    /// A problem of `kind`.
    public init(_ kind: ProblemKind, _ detail: String, invalidParams: [InvalidParam] = [], headers: HTTPFields = [:]) {
        self.kind = kind
        self.detail = detail
        self.invalidParams = invalidParams
        self.headers = headers
    }

    /// The HTTP status.
    public var status: HTTPResponse.Status { kind.status }

    /// The service cannot take requests now (503).
    public static func unavailable(_ detail: String) -> APIError { APIError(.unavailable, detail) }

    /// Input failed validation (422), listing every bad field.
    public static func validation(_ params: [InvalidParam]) -> APIError {
        let names = params.map(\.name).joined(separator: ", ")
        return APIError(.validation, "invalid \(names)", invalidParams: params)
    }

    /// One bad field (422).
    public static func invalid(_ name: String, _ reason: String) -> APIError {
        validation([InvalidParam(name: name, reason: reason)])
    }

    /// No credential, or one that was refused (401).
    public static func unauthenticated(_ detail: String) -> APIError {
        APIError(.unauthenticated, detail, headers: [.wwwAuthenticate: #"Bearer realm="taly""#])
    }

    /// The problem document, as bytes.
    func body(requestID: String, instance: String) -> Data {
        var object: [String: Any] = [
            "type": kind.typeURI,
            "title": kind.title,
            "status": Int(kind.status.code),
            "detail": detail,
            "instance": instance,
            "request_id": requestID,
        ]
        if !invalidParams.isEmpty {
            object["invalid_params"] = invalidParams.map { ["name": $0.name, "reason": $0.reason] }
        }
        if let extensionMembers,
            let extra = (try? JSONSerialization.jsonObject(with: extensionMembers)) as? [String: Any]
        {
            object.merge(extra) { standard, _ in standard }
        }
        // Every value came from JSON or is a string, number or array of strings: serialization
        // cannot fail.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
    }

    /// The answer to send.
    func response(requestID: String, instance: String) -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(
            status: kind.status, headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: body(requestID: requestID, instance: instance))))
    }
}

extension APIError: HTTPResponseError {
    /// Used only when the error escapes the gateway middleware (it never should).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: (context as? TalyRequestContext)?.requestID ?? "", instance: request.uri.path)
    }
}

extension APIError {
    /// The problem for any error a handler or middleware threw; nil means "internal error"
    /// (the caller logs it and answers 500 without details).
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as StoreError: return from(error)
        case let error as HTTPError: return from(error)
        case let error as HTTPParserError:
            // Bad framing of a body being read (a malformed chunk): what follows on the
            // connection cannot be told apart from a next request, so it ends.
            return APIError(
                .malformedBody, "the request body's framing is invalid: \(error)", headers: [.connection: "close"])
        default: return nil
        }
    }

    /// The problem for a store failure.
    static func from(_ error: StoreError) -> APIError? {
        switch error {
        case .invalid(let field, let reason):
            return .invalid(jsonName(field), reason)
        case .notFound(let entity, let key):
            return APIError(.notFound, "no \(entity) \(key)")
        case .duplicate(let entity, let field):
            return APIError(
                .conflict, error.description,
                invalidParams: [InvalidParam(name: jsonName(field), reason: "another \(entity) already has it")])
        case .versionConflict:
            return APIError(.preconditionFailed, error.description)
        case .constraintViolation, .insufficientStock:
            return APIError(.conflict, error.description)
        case .authenticationFailed(let failure):
            let detail =
                switch failure {
                case .invalidCredentials: "invalid credentials"
                case .expired: "the credential has expired"
                case .revoked: "the credential was revoked"
                case .disabled: "the account is disabled"
                }
            return .unauthenticated(detail)
        case .databaseUnavailable, .outboxConsumerBehind:
            return .unavailable(error.description)
        case .invalidBackup:
            return APIError(.validation, error.description)
        case .cannotOpen, .migrationFailed, .backupFailed:
            return nil
        }
    }

    /// The problem for Hummingbird's own errors (unknown route, body over `upTo:`…).
    static func from(_ error: HTTPError) -> APIError {
        let detail = error.body ?? ""
        switch error.status {
        case .notFound: return APIError(.notFound, detail.isEmpty ? "no such route" : detail)
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, detail.isEmpty ? "this route does not accept the method" : detail)
        case .contentTooLarge: return APIError(.payloadTooLarge, "the request body is over the size limit")
        case .unauthorized: return .unauthenticated(detail.isEmpty ? "authentication required" : detail)
        case .forbidden: return APIError(.forbidden, detail)
        case .unsupportedMediaType: return APIError(.unsupportedMediaType, detail)
        default:
            if error.status.code >= 500 { return APIError(.internalError, "internal error") }
            return APIError(.badRequest, detail.isEmpty ? error.status.reasonPhrase : detail)
        }
    }

    /// The store names its own fields as Swift does (`displayName`), the API as JSON does
    /// (`display_name`); a path's tail (`fields.<tenant's field name>`) is the tenant's spelling.
    static func jsonName(_ field: String) -> String {
        let head = field.prefix { $0 != "." }
        var out = ""
        for character in head {
            if character.isUppercase, !out.isEmpty { out.append("_") }
            out.append(contentsOf: character.lowercased())
        }
        return out + field.dropFirst(head.count)
    }
}
