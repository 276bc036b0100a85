import Foundation
import GRDB

/// Dates as the store writes them, formatted by hand: Foundation's `DateFormatter` and ISO 8601
/// style cost 10–25 µs a call on Linux, and one saved content item writes five dates.
///
/// The text is byte for byte what GRDB (`Date.databaseValue`: `yyyy-MM-dd HH:mm:ss.SSS` in UTC,
/// through a `DateFormatter`) and `JSONEncoder`'s `.iso8601` strategy write, so columns written
/// before and after compare and sort alike. Outside the years 1583 to 9999 Foundation's calendar
/// turns Julian or its years grow a fifth digit; there the slow formatters still answer.
enum StoredDate {
    /// 1583-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, in milliseconds since 1970.
    private static let fastMilliseconds: ClosedRange<Int64> = -12_212_553_600_000...253_402_300_799_999

    /// The column text GRDB writes for `date`: `yyyy-MM-dd HH:mm:ss.SSS`, UTC.
    static func databaseText(_ date: Date) -> String {
        // CFDateFormatter rounds to the nearest millisecond (adding half a millisecond before
        // ICU floors), from the time since 1970 computed in this order.
        let milliseconds = ((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down)
        guard milliseconds >= Double(fastMilliseconds.lowerBound), milliseconds <= Double(fastMilliseconds.upperBound)
        else {
            return String.fromDatabaseValue(date.databaseValue) ?? ""
        }
        return format(milliseconds: Int64(milliseconds), databaseStyle: true)
    }

    /// The text `JSONEncoder` writes for `date` with `.iso8601`: `yyyy-MM-ddTHH:mm:ssZ`, whole
    /// seconds rounded down.
    static func iso8601Text(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds * 1000 >= Double(fastMilliseconds.lowerBound),
            seconds * 1000 <= Double(fastMilliseconds.upperBound)
        else {
            return date.formatted(.iso8601)
        }
        return format(milliseconds: Int64(seconds) * 1000, databaseStyle: false)
    }

    /// The date in a column, as GRDB reads it (`Date.fromDatabaseValue`); `yyyy-MM-dd HH:mm:ss.SSS`
    /// in the fast range is parsed here (GRDB goes through `Calendar`), anything else by GRDB.
    static func date(_ column: DatabaseValue) -> Date? {
        if case .string(let text) = column.storage, let date = parse(databaseText: text) { return date }
        return Date.fromDatabaseValue(column)
    }

    /// A date read from a row; a column that holds none is an error naming it.
    static func date(_ row: Row, _ column: String) throws -> Date {
        try date(row[column] as DatabaseValue, column: column)
    }

    /// The date `value` of `column`; a value that is none is an error naming the column.
    static func date(_ value: DatabaseValue, column: String) throws -> Date {
        guard let date = date(value) else {
            throw StoreError.invalid(field: column, reason: "the stored value is not a date")
        }
        return date
    }

    /// An optional date read from a row: NULL is nil.
    static func optionalDate(_ row: Row, _ column: String) throws -> Date? {
        let value: DatabaseValue = row[column]
        return value.isNull ? nil : try date(row, column)
    }

    /// `text` if it is exactly `yyyy-MM-dd HH:mm:ss.SSS` of a real time in the fast range.
    private static func parse(databaseText text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in parse(databaseTextUTF8: bytes) }
    }

    /// `parse(databaseText:)` of a text's UTF-8 bytes (a column read in place).
    static func parse(databaseTextUTF8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == 23, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: ".")
        else { return nil }
        func number(_ start: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<start + count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            let millisecond = number(20, 3), year >= 1583, (1...12).contains(month), day >= 1,
            day <= daysInMonth(month, of: year), hour < 24, minute < 60, second < 60
        else { return nil }
        let dayStart = daysSince1970(year: year, month: month, day: day) * 86_400 - 978_307_200
        let timeOfDay = Double(hour * 3600 + minute * 60 + second) + Double(millisecond) / 1000
        // The same grouping as Foundation's Gregorian calendar (day start + fractional time of
        // day), so the Double is the one GRDB's `Calendar.date(from:)` gives, bit for bit:
        // adding the milliseconds last differs by one ulp within days of 2001-01-01.
        return Date(timeIntervalSinceReferenceDate: Double(dayStart) + timeOfDay)
    }

    private static func daysInMonth(_ month: Int64, of year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's `days_from_civil`).
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// How `write` lays a date out.
    enum Style {
        /// `yyyy-MM-dd HH:mm:ss.SSS`: GRDB's column text.
        case database
        /// `yyyy-MM-ddTHH:mm:ssZ`: `JSONEncoder`'s `.iso8601`.
        case iso8601Seconds
        /// `yyyy-MM-ddTHH:mm:ss.SSSZ`: what search answers give for a stored date.
        case iso8601Milliseconds
    }

    /// Whether `milliseconds` is in the years `write` formats (1583 to 9999).
    static func isFormattedByHand(milliseconds: Int64) -> Bool { fastMilliseconds.contains(milliseconds) }

    /// The longest text `write` lays out.
    static let maximumWrittenCount = 24

    /// `milliseconds` (in the fast range) as `yyyy-MM-dd HH:mm:ss.SSS` or `yyyy-MM-ddTHH:mm:ssZ`.
    private static func format(milliseconds: Int64, databaseStyle: Bool) -> String {
        String(unsafeUninitializedCapacity: maximumWrittenCount) { buffer in
            write(milliseconds: milliseconds, style: databaseStyle ? .database : .iso8601Seconds, into: buffer)
        }
    }

    /// Writes `milliseconds` (in the fast range) at the start of `buffer` (at least
    /// `maximumWrittenCount` bytes) in `style`; answers the count written.
    static func write(milliseconds: Int64, style: Style, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let millisecondsPerDay: Int64 = 86_400_000
        var days = milliseconds / millisecondsPerDay
        var inDay = milliseconds % millisecondsPerDay
        if inDay < 0 {
            days -= 1
            inDay += millisecondsPerDay
        }
        let (year, month, day) = civilDate(daysSince1970: days)
        let second = inDay / 1000
        func put(_ value: Int64, _ digits: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = style == .database ? UInt8(ascii: " ") : UInt8(ascii: "T")
        put(second / 3600, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(second / 60 % 60, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(second % 60, 2, at: 17)
        switch style {
        case .iso8601Seconds:
            buffer[19] = UInt8(ascii: "Z")
            return 20
        case .database, .iso8601Milliseconds:
            buffer[19] = UInt8(ascii: ".")
            put(inDay % 1000, 3, at: 20)
            guard style == .iso8601Milliseconds else { return 23 }
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Hinnant's `civil_from_days`).
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
