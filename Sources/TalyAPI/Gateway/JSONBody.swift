import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// The body decoded as `T`, or a problem that names what is wrong: 415 for another media
    /// type, 413 over the size limit, 400 for an empty body, invalid UTF-8 (with its byte
    /// offset) or malformed JSON, 422 for a missing field, a null or a wrong type (with the
    /// field's path).
    // Never inlined: inlined into handlers, its typed-throws decode of an awaited body crashes
    // Swift 6.3's optimizer (LLVM CoroSplit, "emitSetAndGetSwiftErrorValueAround") in release.
    @inline(never)
    public func decodeJSON<T: Decodable>(as type: T.Type, context: TalyRequestContext) async throws -> T {
        try JSONBody.decode(type, from: try await jsonBytes(context: context))
    }

    /// The body as a JSON object of Foundation values, for a JSON merge patch (RFC 7396): the
    /// same checks as `decodeJSON`, and 422 `body` when it is JSON but not an object.
    @inline(never)
    func decodeJSONMergePatch(context: TalyRequestContext) async throws -> [String: Any] {
        try JSONBody.object(from: try await jsonBytes(context: context))
    }

    /// The body's bytes, after the media type (415) and size (413) checks.
    private func jsonBytes(context: TalyRequestContext) async throws -> [UInt8] {
        if let contentType = headers[.contentType] {
            let media = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard media == "application/json" || media.hasSuffix("+json") else {
                throw APIError(.unsupportedMediaType, "the body must be application/json, not \(contentType)")
            }
        }
        do {
            return Array(try await body.collect(upTo: context.limits.maxBodyBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .payloadTooLarge, "the request body is over the limit of \(context.limits.maxBodyBytes) bytes")
        }
    }
}

/// Decoding request bodies with errors a client can act on.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(APIError) -> T {
        try checkText(bytes)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch let error as APIError {
            // A body type that checks every member itself reports them all at once.
            throw error
        } catch let error as DecodingError {
            throw problem(error)
        } catch {
            throw APIError(.malformedBody, "the request body is not valid JSON")
        }
    }

    /// 400 for an empty body or invalid UTF-8 (with the byte offset).
    static func checkText(_ bytes: [UInt8]) throws(APIError) {
        guard bytes.contains(where: { !Self.isJSONWhitespace($0) }) else {
            throw APIError(.malformedBody, "the request body is empty; expected a JSON object")
        }
        if let offset = firstInvalidUTF8Offset(bytes) {
            throw APIError(.malformedBody, "the request body is not valid UTF-8 at byte \(offset)")
        }
    }

    /// A JSON object of Foundation values (`NSNumber` keeps integers exact).
    static func object(from bytes: [UInt8]) throws(APIError) -> [String: Any] {
        try checkText(bytes)
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw APIError(.malformedBody, "the request body is not valid JSON")
        }
        guard let object = value as? [String: Any] else {
            throw APIError(
                .validation, "the request body must be a JSON object",
                invalidParams: [InvalidParam(name: "body", reason: "must be a JSON object")])
        }
        return object
    }

    /// RFC 7396: members of `patch` replace those of `target`, objects merge recursively and
    /// `null` removes a member.
    static func mergePatch(_ target: Any?, _ patch: Any) -> Any {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = target as? [String: Any] ?? [:]
        for (name, value) in patch {
            result[name] = value is NSNull ? nil : mergePatch(result[name], value)
        }
        return result
    }

    static func problem(_ error: DecodingError) -> APIError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let reason = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return APIError(.malformedBody, "the request body is not valid JSON" + (reason.map { ": \($0)" } ?? ""))
        case .dataCorrupted(let context):
            return .invalid(path(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath + [key]), "is required")
        case .valueNotFound(_, let context):
            return .invalid(path(context.codingPath), "must not be null")
        case .typeMismatch(let expected, let context):
            if context.codingPath.isEmpty {
                return APIError(
                    .validation, "the request body must be a JSON \(jsonType(expected))",
                    invalidParams: [InvalidParam(name: "body", reason: "must be a JSON \(jsonType(expected))")])
            }
            return .invalid(path(context.codingPath), "must be \(article(jsonType(expected)))")
        @unknown default:
            return APIError(.malformedBody, "the request body could not be decoded")
        }
    }

    /// `items[2].sku` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out.isEmpty ? "body" : out
    }

    static func jsonType(_ type: Any.Type) -> String {
        if type == String.self || type == Substring.self { return "string" }
        if type == Bool.self { return "boolean" }
        if type == Int.self || type == Int64.self || type == Int32.self || type == UInt64.self { return "integer" }
        if type == Double.self || type == Float.self { return "number" }
        return String(describing: type).hasPrefix("Array") ? "array" : "object"
    }

    static func article(_ word: String) -> String {
        (word.first.map { "aeiou".contains($0) } ?? false) ? "an \(word)" : "a \(word)"
    }

    static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence, or nil.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
