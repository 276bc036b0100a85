/// The common shape of ingest lines: one JSON object whose members are all strings
/// (`{"id": "…", "text": "…"}`), read by the bulk ingest's `JSONParser` (escapes, `\u`
/// surrogate pairs and UTF-8 validated), several times faster than `JSONDecoder`. Anything else
/// (numbers, arrays, nesting, malformed input) returns nil and the caller falls back to the
/// general decoder, which also produces the error message.
public enum FlatJSONObject {
    /// The members in order, or nil when the line is not a flat object of strings.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> [(key: String, value: String)]? {
        guard case .object(let members)? = try? JSONParser.parse(bytes) else { return nil }
        var strings: [(key: String, value: String)] = []
        strings.reserveCapacity(members.count)
        for member in members {
            guard case .string(let text) = member.value else { return nil }
            strings.append((member.key, text))
        }
        return strings
    }
}
