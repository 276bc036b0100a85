/// A ``Filter`` checked against the schema and reduced to column operations: keyword values as
/// bytes, numeric and date comparisons as inclusive ranges of raw column values
/// (``SortableDouble`` bits for doubles). Compiled once per search, evaluated per segment.
indirect enum FilterPlan: Sendable, Hashable {
    /// Every document.
    case all
    /// No document.
    case none
    /// Documents with one of these keyword values (sorted, distinct, non-empty).
    case keywordValues(field: UInt32, values: [[UInt8]])
    /// Documents with a keyword value in a byte-wise range; nil ends are open.
    case keywordRange(field: UInt32, lower: [UInt8]?, lowerInclusive: Bool, upper: [UInt8]?, upperInclusive: Bool)
    /// Documents with a raw numeric value in one of the ranges (non-empty).
    case numericRanges(field: UInt32, ranges: [ClosedRange<Int64>])
    /// Documents with a value in the field's column.
    case exists(field: UInt32)
    /// Documents the inner plan rejects.
    case not(FilterPlan)
    /// Documents every plan accepts.
    case and([FilterPlan])
    /// Documents some plan accepts.
    case or([FilterPlan])

    /// Checks `filter` against `schema` and compiles it; errors carry no position.
    init(_ filter: Filter, schema: Schema) throws(FilterError) {
        switch filter {
        case .and(let filters):
            var plans: [FilterPlan] = []
            for filter in filters { plans.append(try FilterPlan(filter, schema: schema)) }
            self = plans.isEmpty ? .all : plans.count == 1 ? plans[0] : .and(plans)
        case .or(let filters):
            var plans: [FilterPlan] = []
            for filter in filters { plans.append(try FilterPlan(filter, schema: schema)) }
            self = plans.isEmpty ? .none : plans.count == 1 ? plans[0] : .or(plans)
        case .not(let inner):
            self = .not(try FilterPlan(inner, schema: schema))
        case .exists(let name):
            let (number, _) = try Self.column(name, schema)
            self = .exists(field: number)
        case .equal(let name, let value):
            self = try Self.oneOf(name, [value], schema)
        case .notEqual(let name, let value):
            self = .not(try Self.oneOf(name, [value], schema))
        case .oneOf(let name, let values):
            self = try Self.oneOf(name, values, schema)
        case .range(let name, let lower, let upper):
            let (number, type) = try Self.column(name, schema)
            if case .keyword = type {
                let low = try lower.map { (bound) throws(FilterError) in try Self.keyword(bound.value, name, type) }
                let high = try upper.map { (bound) throws(FilterError) in try Self.keyword(bound.value, name, type) }
                self = .keywordRange(
                    field: number, lower: low, lowerInclusive: lower?.inclusive ?? true, upper: high,
                    upperInclusive: upper?.inclusive ?? true)
                return
            }
            let low = try lower.map { (bound) throws(FilterError) in
                try NumericBound.lower(bound.value, inclusive: bound.inclusive, field: name, type: type)
            }
            let high = try upper.map { (bound) throws(FilterError) in
                try NumericBound.upper(bound.value, inclusive: bound.inclusive, field: name, type: type)
            }
            guard let start = low ?? Int64.min, let end = high ?? Int64.max, start <= end else {
                self = .none
                return
            }
            self = .numericRanges(field: number, ranges: [start...end])
        }
    }

    private static func oneOf(_ name: String, _ values: [FilterValue], _ schema: Schema) throws(FilterError)
        -> FilterPlan
    {
        let (number, type) = try column(name, schema)
        if case .keyword = type {
            var bytes: [[UInt8]] = []
            for value in values { bytes.append(try keyword(value, name, type)) }
            let distinct = Array(Set(bytes)).sorted { $0.lexicographicallyPrecedes($1) }
            return distinct.isEmpty ? .none : .keywordValues(field: number, values: distinct)
        }
        var ranges: [ClosedRange<Int64>] = []
        for value in values {
            let low = try NumericBound.lower(value, inclusive: true, field: name, type: type)
            let high = try NumericBound.upper(value, inclusive: true, field: name, type: type)
            if let low, let high, low <= high { ranges.append(low...high) }
        }
        return ranges.isEmpty ? .none : .numericRanges(field: number, ranges: ranges)
    }

    /// The field's number and type, when it has a column.
    private static func column(_ name: String, _ schema: Schema) throws(FilterError) -> (UInt32, FieldType) {
        let type = try FilterValueChecker.filterableType(of: name, in: schema, at: nil)
        return (UInt32(schema.fieldNumber(name)!), type)
    }

    private static func keyword(_ value: FilterValue, _ name: String, _ type: FieldType) throws(FilterError)
        -> [UInt8]
    {
        guard case .string(let text) = value else {
            throw FilterError(.wrongValueType(field: name, type: type.name, value: value.description))
        }
        return Array(text.utf8)
    }
}

/// Schema checks shared by the parser (with positions) and the compiler (without).
enum FilterValueChecker {
    /// The type of field `name`, which must exist and have a column.
    static func filterableType(of name: String, in schema: Schema, at position: Int?) throws(FilterError)
        -> FieldType
    {
        guard let number = schema.fieldNumber(name) else { throw FilterError(.unknownField(name), at: position) }
        let type = schema.fields[number].type
        guard schema.hasColumn(number) else {
            let what = number == schema.idFieldNumber ? "id" : type.name
            throw FilterError(.fieldNotFilterable(name, type: what), at: position)
        }
        return type
    }
}

/// Moves a bound given as a ``FilterValue`` to the nearest raw column value inside the range.
enum NumericBound {
    /// 2⁶³ as a double: the first double past Int64's range.
    private static let twoTo63 = 9_223_372_036_854_775_808.0

    /// The smallest raw value at or above (or strictly above) `value`; nil when none exists.
    static func lower(_ value: FilterValue, inclusive: Bool, field: String, type: FieldType) throws(FilterError)
        -> Int64?
    {
        switch try numeric(value, field: field, type: type) {
        case .exact(let raw): return inclusive ? raw : (raw == .max ? nil : raw + 1)
        case .real(let number):
            if case .double = type {
                return inclusive ? SortableDouble.bits(number == 0 ? -0.0 : number) : next(number == 0 ? 0.0 : number)
            }
            let candidate = inclusive ? number.rounded(.up) : number.rounded(.down) + 1
            if candidate >= twoTo63 { return nil }
            return candidate < -twoTo63 ? .min : Int64(candidate)
        }
    }

    /// The largest raw value at or below (or strictly below) `value`; nil when none exists.
    static func upper(_ value: FilterValue, inclusive: Bool, field: String, type: FieldType) throws(FilterError)
        -> Int64?
    {
        switch try numeric(value, field: field, type: type) {
        case .exact(let raw): return inclusive ? raw : (raw == .min ? nil : raw - 1)
        case .real(let number):
            if case .double = type {
                return inclusive
                    ? SortableDouble.bits(number == 0 ? 0.0 : number) : previous(number == 0 ? -0.0 : number)
            }
            let candidate = inclusive ? number.rounded(.down) : number.rounded(.up) - 1
            if candidate < -twoTo63 { return nil }
            return candidate >= twoTo63 ? .max : Int64(candidate)
        }
    }

    private static func next(_ number: Double) -> Int64? {
        let bits = SortableDouble.bits(number)
        return bits == .max ? nil : bits + 1
    }

    private static func previous(_ number: Double) -> Int64? {
        let bits = SortableDouble.bits(number)
        return bits == .min ? nil : bits - 1
    }

    private enum Numeric {
        /// A value that is exactly a raw column value.
        case exact(Int64)
        /// A real number to round into the column's domain (int64 and date columns).
        case real(Double)
    }

    /// `value` in the terms of a column of `type`, or a typed error when the two cannot compare.
    private static func numeric(_ value: FilterValue, field: String, type: FieldType) throws(FilterError) -> Numeric {
        if case .double(let number) = value, number.isNaN { throw FilterError(.invalidValue("NaN")) }
        switch (type, value) {
        case (.int64, .integer(let integer)), (.date, .integer(let integer)), (.date, .date(let integer)):
            return .exact(integer)
        case (.int64, .double(let number)), (.date, .double(let number)):
            return .real(number)
        case (.double, .integer(let integer)):
            return .real(Double(integer))
        case (.double, .double(let number)):
            return .real(number)
        default:
            throw FilterError(.wrongValueType(field: field, type: type.name, value: value.description))
        }
    }
}
