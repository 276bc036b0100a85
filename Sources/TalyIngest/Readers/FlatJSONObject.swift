/// A fast parser for the common shape of ingest lines: one JSON object whose members are all
/// strings (`{"id": "…", "text": "…"}`). It scans the bytes once, decodes escapes (including
/// `\u` surrogate pairs) and validates UTF-8, and is several times faster than `JSONDecoder`.
/// Anything else (numbers, arrays, nesting, malformed input) returns nil and the caller falls
/// back to the general decoder, which also produces the error message.
public enum FlatJSONObject {
    /// The members in order, or nil when the line is not a flat object of strings.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> [(key: String, value: String)]? {
        var index = 0
        let count = bytes.count
        var scratch: [UInt8] = []

        @inline(__always) func skipSpace() {
            while index < count {
                let byte = bytes[index]
                guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
                index += 1
            }
        }

        /// Parses a string starting at the opening quote.
        func string() -> String? {
            guard index < count, bytes[index] == 0x22 else { return nil }
            index += 1
            let start = index
            // Fast path: no escapes before the closing quote.
            while index < count {
                let byte = bytes[index]
                if byte == 0x22 {
                    let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return String(validating: raw, as: UTF8.self)
                }
                if byte == 0x5C || byte < 0x20 { break }
                index += 1
            }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            while index < count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x22:
                    return String(validating: scratch, as: UTF8.self)
                case 0x5C:
                    guard index < count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case 0x22, 0x5C, 0x2F: scratch.append(escape)
                    case 0x62: scratch.append(0x08)
                    case 0x66: scratch.append(0x0C)
                    case 0x6E: scratch.append(0x0A)
                    case 0x72: scratch.append(0x0D)
                    case 0x74: scratch.append(0x09)
                    case 0x75:
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard index + 1 < count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else { return nil }
                            index += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            return nil
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        scratch.append(contentsOf: String(Character(unicode)).utf8)
                    default:
                        return nil
                    }
                default:
                    guard byte >= 0x20 else { return nil }  // raw control characters are not JSON
                    scratch.append(byte)
                }
            }
            return nil
        }

        func hex4() -> UInt32? {
            guard index + 4 <= count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }

        skipSpace()
        guard index < count, bytes[index] == 0x7B else { return nil }
        index += 1
        var members: [(key: String, value: String)] = []
        skipSpace()
        if index < count && bytes[index] == 0x7D {
            index += 1
        } else {
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard index < count, bytes[index] == 0x3A else { return nil }
                index += 1
                skipSpace()
                guard let value = string() else { return nil }
                members.append((key, value))
                skipSpace()
                guard index < count else { return nil }
                if bytes[index] == 0x2C {
                    index += 1
                    continue
                }
                guard bytes[index] == 0x7D else { return nil }
                index += 1
                break
            }
        }
        skipSpace()
        return index == count ? members : nil
    }
}
