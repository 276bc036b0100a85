import Testing

@testable import TalyStore

@Suite("content value validation")
struct ContentValidationTests {
    @Test(
        "dates and RFC 3339 date-times with real calendar days are accepted",
        arguments: [
            "2024-02-29", "2000-02-29", "2025-12-31", "2025-06-01T12:00:00Z", "2025-06-01t12:00:00z",
            "2025-06-01T12:00:00.250+02:00", "2025-06-01T00:00:00.123456789-11:30", "2016-12-31T23:59:60Z",
        ])
    func validDates(_ text: String) {
        #expect(ContentValidation.isISO8601(text))
    }

    @Test(
        "impossible days, missing zones and near misses are refused",
        arguments: [
            "", "2023-02-29", "1900-02-29", "2025-04-31", "2025-00-10", "2025-13-01", "2025-06-00", "2025-6-01",
            "25-06-01", "2025/06/01", "2025-06-01T24:00:00Z", "2025-06-01T12:60:00Z", "2025-06-01T12:00:00",
            "2025-06-01T12:00Z", "2025-06-01T12:00:00.Z", "2025-06-01T12:00:00+0200", "2025-06-01T12:00:00+24:00",
            "2025-06-01 12:00:00Z", "2025-06-01T12:00:00Zjunk", "2025-06-01T12:00:00+02:00x", "２０２５-06-01",
            "2025-06-01T",
        ])
    func invalidDates(_ text: String) {
        #expect(!ContentValidation.isISO8601(text))
    }
}
