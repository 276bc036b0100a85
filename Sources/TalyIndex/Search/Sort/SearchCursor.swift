import CTalyChecksum

/// The position after one hit in a sorted result list: its sort values and its unique id.
///
/// Text form: base64url without padding of `version (1) · sort fingerprint (u32 LE) · key count (u8) ·
/// per key a tag (0 missing, 1 score f32, 2 integer i64, 3 double bits u64, 4 keyword varint length + bytes)
/// · id (varint length + bytes) · CRC-32C (u32 LE) of everything before`. It names documents by value
/// only (no segment or document numbers), so it stays meaningful across commits and merges.
struct SearchCursor: Hashable, Sendable {
    static let version: UInt8 = 1

    var values: [SortValue]
    var id: [UInt8]

    /// The cursor's text form for `plan`.
    func encoded(for plan: SortPlan) -> String {
        var bytes: [UInt8] = [Self.version]
        appendLittleEndian(UInt64(plan.fingerprint), count: 4, to: &bytes)
        bytes.append(UInt8(values.count))
        for value in values {
            switch value {
            case .missing: bytes.append(0)
            case .score(let score):
                bytes.append(1)
                appendLittleEndian(UInt64(score.bitPattern), count: 4, to: &bytes)
            case .integer(let integer):
                bytes.append(2)
                appendLittleEndian(UInt64(bitPattern: integer), count: 8, to: &bytes)
            case .double(let double):
                bytes.append(3)
                appendLittleEndian(double.bitPattern, count: 8, to: &bytes)
            case .keyword(let keyword):
                bytes.append(4)
                appendVarint(UInt64(keyword.count), to: &bytes)
                bytes += keyword
            }
        }
        appendVarint(UInt64(id.count), to: &bytes)
        bytes += id
        appendLittleEndian(UInt64(Self.checksum(bytes)), count: 4, to: &bytes)
        return Base64URL.encode(bytes)
    }

    /// Parses `text` made for a request sorted by `plan`; a typed error names what is wrong.
    init(decoding text: String, for plan: SortPlan) throws(SearchError) {
        let bytes = try Base64URL.decode(text)
        guard bytes.count >= 4 + 6 else { throw .invalidCursor("it is \(bytes.count) bytes, too short to be one") }
        let body = Array(bytes[..<(bytes.count - 4)])
        var reader = Reader(bytes: bytes, position: bytes.count - 4)
        guard try reader.littleEndian(4) == UInt64(Self.checksum(body)) else {
            throw .invalidCursor("its checksum does not match: it was altered or truncated")
        }
        reader = Reader(bytes: body, position: 0)
        let version = try reader.byte()
        guard version == Self.version else { throw .invalidCursor("version \(version) is not supported") }
        guard try reader.littleEndian(4) == UInt64(plan.fingerprint) else {
            throw .invalidCursor("it was made for another sort than this request's")
        }
        let count = Int(try reader.byte())
        guard count == plan.keys.count else {
            throw .invalidCursor("it has \(count) sort values, the request sorts by \(plan.keys.count) keys")
        }
        var values: [SortValue] = []
        for key in plan.keys {
            let tag = try reader.byte()
            let value: SortValue
            switch tag {
            case 0: value = .missing
            case 1: value = .score(Float(bitPattern: UInt32(try reader.littleEndian(4))))
            case 2: value = .integer(Int64(bitPattern: try reader.littleEndian(8)))
            case 3: value = .double(Double(bitPattern: try reader.littleEndian(8)))
            case 4: value = .keyword(try reader.bytes(Int(try reader.varint())))
            default: throw .invalidCursor("unknown value tag \(tag) at byte \(reader.position - 1)")
            }
            guard Self.fits(value, key) else {
                throw .invalidCursor("value \(values.count + 1) (\(value)) does not fit the sort key on \(key.name)")
            }
            values.append(value)
        }
        id = try reader.bytes(Int(try reader.varint()))
        guard reader.position == body.count else {
            throw .invalidCursor("\(body.count - reader.position) stray bytes after the id")
        }
        self.values = values
    }

    init(values: [SortValue], id: [UInt8]) {
        self.values = values
        self.id = id
    }

    private static func fits(_ value: SortValue, _ key: SortPlan.Key) -> Bool {
        switch (key.column, value) {
        case (.score, .score): true
        case (.score, _): false
        case (_, .missing), (.keyword, .keyword): true
        case (.numeric(_, let type), .integer): type != .double
        case (.numeric(_, let type), .double(let double)): type == .double && !double.isNaN
        default: false
        }
    }

    private static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { taly_crc32c_update(0, $0.baseAddress, $0.count) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position: Int

        mutating func byte() throws(SearchError) -> UInt8 {
            guard position < bytes.count else { throw .invalidCursor("it ends at byte \(position), inside a value") }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func littleEndian(_ count: Int) throws(SearchError) -> UInt64 {
            var value: UInt64 = 0
            for shift in 0..<count { value |= UInt64(try byte()) << (8 * shift) }
            return value
        }

        mutating func varint() throws(SearchError) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 35, by: 7) {
                let next = try byte()
                value |= UInt64(next & 0x7F) << shift
                if next & 0x80 == 0 { return value }
            }
            throw .invalidCursor("length at byte \(position) is too long")
        }

        mutating func bytes(_ count: Int) throws(SearchError) -> [UInt8] {
            guard count <= bytes.count - position else {
                throw .invalidCursor("a value of \(count) bytes at byte \(position) runs past the end")
            }
            defer { position += count }
            return Array(bytes[position..<(position + count)])
        }
    }
}

private func appendLittleEndian(_ value: UInt64, count: Int, to bytes: inout [UInt8]) {
    for shift in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * shift))) }
}

private func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
        rest >>= 7
    }
    bytes.append(UInt8(rest))
}

/// RFC 4648 base64url without padding: cursors travel in URLs and JSON unescaped.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 { group = group << 8 | UInt32(offset < chunk ? bytes[index + offset] : 0) }
            for digit in 0...chunk { out.append(alphabet[Int(group >> (18 - 6 * digit)) & 63]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) throws(SearchError) -> [UInt8] {
        var bytes: [UInt8] = []
        var group: UInt32 = 0
        var digits = 0
        for (position, character) in text.utf8.enumerated() {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: throw .invalidCursor("character \(position) is not base64url")
            }
            group = group << 6 | UInt32(value)
            digits += 1
            if digits == 4 {
                bytes += [
                    UInt8(truncatingIfNeeded: group >> 16), UInt8(truncatingIfNeeded: group >> 8),
                    UInt8(truncatingIfNeeded: group),
                ]
                group = 0
                digits = 0
            }
        }
        // The last digit's unused low bits must be zero, so each byte string has one spelling.
        switch digits {
        case 0: break
        case 2 where group & 0xF == 0: bytes.append(UInt8(truncatingIfNeeded: group >> 4))
        case 3 where group & 0x3 == 0:
            bytes += [UInt8(truncatingIfNeeded: group >> 10), UInt8(truncatingIfNeeded: group >> 2)]
        case 2, 3: throw .invalidCursor("its last character has bits set past the end of the data")
        default: throw .invalidCursor("its length \(text.utf8.count) is not a base64url length")
        }
        return bytes
    }
}
