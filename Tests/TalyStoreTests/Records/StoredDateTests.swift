import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("stored dates")
struct StoredDateTests {
    /// Dates around the edges the formatting must get right: rounding to the millisecond, days,
    /// leap years, the ends of the fast range and beyond it (where Foundation still answers).
    static let edges: [Double] = [
        0, 0.0004, 0.0005, 0.0006, 0.9994, 0.9995, 0.9999, -0.0001, -0.0005, -0.9995, 1, -1, 86_399.9996,
        951_782_400, 951_868_799.999, 1_709_164_800.5, 1_764_463_566.123, 1_764_463_566.9995,
        4_102_444_800, -12_212_553_600, -12_212_553_600.001, -12_219_292_801, 253_402_300_799.999,
        253_402_300_799.9996, 253_402_300_800, -62_135_596_800, 1e11, -1e11,
    ]

    static func randomSeconds(_ generator: inout SplitMix64) -> Double {
        switch generator.next() % 4 {
        case 0: Double.random(in: -1.3e10...2.6e11, using: &generator)
        case 1: Double(Int64.random(in: 0...4_102_444_800_000, using: &generator)) / 1000
        case 2: Double.random(in: 1.6e9...1.9e9, using: &generator)
        default:
            Double(Int64.random(in: -20_000_000_000...300_000_000_000, using: &generator)) + Double(
                generator.next() % 2000) / 2000
        }
    }

    @Test("column text is GRDB's own (Date.databaseValue) at the edges and on random dates")
    func databaseText() {
        let seed = SplitMix64.testSeed()
        print("StoredDateTests.databaseText seed \(seed)")
        var generator = SplitMix64(seed: seed)
        let seconds = Self.edges + (0..<20_000).map { _ in Self.randomSeconds(&generator) }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            #expect(StoredDate.databaseText(date) == String.fromDatabaseValue(date.databaseValue), "\(value)")
        }
    }

    @Test("JSON text is JSONEncoder's .iso8601 at the edges and on random dates")
    func iso8601Text() throws {
        let seed = SplitMix64.testSeed()
        print("StoredDateTests.iso8601Text seed \(seed)")
        var generator = SplitMix64(seed: seed)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let seconds = Self.edges + (0..<5_000).map { _ in Self.randomSeconds(&generator) }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            let expected = String(decoding: try encoder.encode([date]), as: UTF8.self)
            #expect("[\"\(StoredDate.iso8601Text(date))\"]" == expected, "\(value)")
        }
    }
}

extension StoredDateTests {
    @Test("column text reads back as GRDB reads it (Date.fromDatabaseValue), bit for bit, odd texts included")
    func parsing() {
        let seed = SplitMix64.testSeed()
        print("StoredDateTests.parsing seed \(seed)")
        var generator = SplitMix64(seed: seed)
        var texts = Self.edges.map { StoredDate.databaseText(Date(timeIntervalSince1970: $0)) }
        texts += (0..<20_000).map { _ in
            StoredDate.databaseText(Date(timeIntervalSince1970: Self.randomSeconds(&generator)))
        }
        texts += [
            "2026-02-29 00:00:00.000", "2024-02-29 23:59:59.999", "2026-13-01 00:00:00.000", "2026-04-31 00:00:00.000",
            "2026-01-01 24:00:00.000", "2026-01-01 00:60:00.000", "2026-01-01 00:00:60.000", "2026-01-01T00:00:00.000",
            "2026-01-01 00:00:00", "2026-01-01", "1582-10-10 00:00:00.000", "1583-01-01 00:00:00.000",
            "x026-01-01 00:00:00.000", "2000-12-30 14:31:44.346",
        ]
        // Within days of the reference date (2001-01-01) the order of the additions decides the
        // last bit: a sweep there always runs, whatever the seed.
        let referenceDate: Int64 = 978_307_200
        for second in stride(from: referenceDate - 5 * 86_400, to: referenceDate + 5 * 86_400, by: 997) {
            let value = Double(second) + Double(second % 1000) / 1000
            texts.append(StoredDate.databaseText(Date(timeIntervalSince1970: value)))
        }
        for text in texts {
            let expected = Date.fromDatabaseValue(text.databaseValue)
            let parsed = StoredDate.date(text.databaseValue)
            #expect(
                parsed?.timeIntervalSinceReferenceDate.bitPattern
                    == expected?.timeIntervalSinceReferenceDate.bitPattern,
                "\(text)")
        }
        #expect(StoredDate.date(DatabaseValue.null) == nil)
        #expect(StoredDate.date(1_700_000_000.databaseValue) == Date(timeIntervalSince1970: 1_700_000_000))
    }
}
