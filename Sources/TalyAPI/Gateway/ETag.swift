import Foundation
import HTTPTypes
import Hummingbird

/// ETags of editable resources and the `If-Match` rule of every PUT/PATCH/DELETE on them.
///
/// The ETag is the record's version, quoted (a strong validator): versions change with every
/// write, in the same transaction, so it needs no hashing of the body.
public enum ETag {
    /// The `ETag` header value of a record at `version`.
    public static func of(version: Int64) -> String { "\"\(version)\"" }

    /// Checks `If-Match` against the resource's current version: 428 when missing, 412 when no
    /// listed ETag is current (weak ETags never match, `*` matches any). The caller then passes
    /// `version` to the store as the expected version, so a write racing in between is also 412.
    public static func checkIfMatch(_ request: Request, currentVersion version: Int64) throws(APIError) {
        guard let header = request.headers[.ifMatch] else {
            throw APIError(
                .preconditionRequired, "this change needs an If-Match header with the resource's ETag (read it first)")
        }
        let current = of(version: version)
        let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains(where: { $0 == "*" || $0 == current }) else {
            throw APIError(.preconditionFailed, "the resource changed: its ETag is now \(current), not \(header)")
        }
    }
}

extension Response {
    /// Adds the ETag of a record at `version`.
    public func withETag(version: Int64) -> Response {
        var response = self
        response.headers[.eTag] = ETag.of(version: version)
        return response
    }
}
