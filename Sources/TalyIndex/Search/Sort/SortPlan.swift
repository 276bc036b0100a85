/// A request's sort checked against the schema: per key, the field's number and column kind.
struct SortPlan: Sendable, Hashable {
    enum Column: Sendable, Hashable {
        case score
        case keyword(field: UInt32)
        case numeric(field: UInt32, type: NumericValueType)
    }

    struct Key: Sendable, Hashable {
        let column: Column
        let descending: Bool
        let missingFirst: Bool
        /// The field's name for messages ("score" for the score).
        let name: String
    }

    let keys: [Key]
    /// A hash of the keys' canonical spelling: a cursor made for another sort is rejected.
    let fingerprint: UInt32

    /// True when a key is the score, so matches must be scored.
    var needsScores: Bool { keys.contains { $0.column == .score } }

    init(_ sort: [SortKey], schema: Schema) throws(SearchError) {
        // Sorted hits break ties (and cursors resume) by id, which an append-only index does not index.
        if schema.idMode == .appendOnly, let first = sort.first {
            let name = if case .field(let field) = first.target { field } else { "score" }
            throw .invalidSort(field: name, reason: "the index is append-only: sorted hits are ordered by id on ties")
        }
        var keys: [Key] = []
        for key in sort {
            let descending = key.order == .descending
            switch key.target {
            case .score:
                keys.append(Key(column: .score, descending: descending, missingFirst: false, name: "score"))
            case .field(let name):
                guard let number = schema.fieldNumber(name) else { throw .unknownField(name) }
                let type = schema.fields[number].type
                guard schema.hasColumn(number) else {
                    let reason =
                        number == schema.idFieldNumber
                        ? "the id field has no column; hits equal on every key are ordered by id anyway"
                        : "\(type.name) fields have no column to sort by"
                    throw .invalidSort(field: name, reason: reason)
                }
                let column: Column =
                    if case .keyword = type {
                        .keyword(field: UInt32(number))
                    } else {
                        .numeric(field: UInt32(number), type: NumericValueType(type))
                    }
                keys.append(
                    Key(column: column, descending: descending, missingFirst: key.missing == .first, name: name))
            }
        }
        self.keys = keys
        // FNV-1a: a cheap check, not a security measure (the cursor's checksum catches alterations).
        var hash: UInt32 = 2_166_136_261
        for byte in sort.map(\.canonical).joined(separator: ",").utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        fingerprint = hash
    }

    /// Negative, zero or positive as hit `a` comes before, with, or after hit `b` in the sort order,
    /// comparing values (keyword bytes, not per-segment ordinals), then ids byte-wise.
    func compare(_ a: [SortValue], id aID: [UInt8], _ b: [SortValue], id bID: [UInt8]) -> Int {
        for (position, key) in keys.enumerated() {
            let order = Self.compare(a[position], b[position], key: key)
            if order != 0 { return order }
        }
        return Self.compareBytes(aID, bID)
    }

    private static func compare(_ a: SortValue, _ b: SortValue, key: Key) -> Int {
        switch (a, b) {
        case (.missing, .missing): return 0
        case (.missing, _): return key.missingFirst ? -1 : 1
        case (_, .missing): return key.missingFirst ? 1 : -1
        default: break
        }
        let order: Int
        switch (a, b) {
        case (.score(let x), .score(let y)): order = x < y ? -1 : x > y ? 1 : 0
        case (.integer(let x), .integer(let y)): order = x < y ? -1 : x > y ? 1 : 0
        case (.double(let x), .double(let y)):
            let (bx, by) = (SortableDouble.bits(x), SortableDouble.bits(y))
            order = bx < by ? -1 : bx > by ? 1 : 0
        case (.keyword(let x), .keyword(let y)): order = compareBytes(x, y)
        default: preconditionFailure("values of one key have one kind")
        }
        return key.descending ? -order : order
    }

    static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a == b ? 0 : a.lexicographicallyPrecedes(b) ? -1 : 1
    }
}
