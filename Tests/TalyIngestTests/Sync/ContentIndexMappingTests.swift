import Foundation
import TalyIndex
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyIngest

@Suite("Content index mapping")
struct ContentIndexMappingTests {
    @Test("Dates and date-times the store accepts convert to the instant Foundation reads")
    func datesMatchFoundation() {
        let seed = SplitMix64.testSeed()
        print("ContentIndexMappingTests.datesMatchFoundation seed \(seed)")
        var random = SplitMix64(seed: seed)
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        for _ in 0..<2000 {
            let year = Int.random(in: 1900...2200, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...28, using: &random)
            let date = String(format: "%04d-%02d-%02d", year, month, day)
            var text = date
            if Bool.random(using: &random) {
                text += String(
                    format: "T%02d:%02d:%02d", Int.random(in: 0...23, using: &random),
                    Int.random(in: 0...59, using: &random), Int.random(in: 0...59, using: &random))
                let hasFraction = Bool.random(using: &random)
                if hasFraction { text += String(format: ".%03d", Int.random(in: 0...999, using: &random)) }
                let zoneMinutes = Int.random(in: -14 * 60...14 * 60, using: &random) / 15 * 15
                text +=
                    zoneMinutes == 0 && Bool.random(using: &random)
                    ? "Z"
                    : (zoneMinutes < 0 ? "-" : "+")
                        + String(format: "%02d:%02d", abs(zoneMinutes) / 60, abs(zoneMinutes) % 60)
                guard let reference = (hasFraction ? withFraction : plain).date(from: text) else {
                    Issue.record("Foundation does not read \(text)")
                    continue
                }
                #expect(
                    ContentIndexMapping.milliseconds(iso8601: text)
                        == Int64((reference.timeIntervalSince1970 * 1000).rounded()), "\(text)")
            } else {
                guard let reference = plain.date(from: date + "T00:00:00Z") else {
                    Issue.record("Foundation does not read \(date)")
                    continue
                }
                #expect(
                    ContentIndexMapping.milliseconds(iso8601: text)
                        == Int64((reference.timeIntervalSince1970 * 1000).rounded()), "\(text)")
            }
        }
    }

    @Test("The derived schema follows the capabilities, not the display")
    func schemaFromCapabilities() throws {
        let fixture = try IndexSyncFixture()
        let mapping = ContentIndexMapping(contentType: fixture.article)
        let types = Dictionary(uniqueKeysWithValues: mapping.schema.fields.map { ($0.name, $0.type) })
        #expect(types["body"] == .text(analyzer: .standard, stored: true))
        #expect(types["category"] == .keyword(stored: true, multiValued: false))
        #expect(types["rating"] == .double(stored: true))
        #expect(types["event_date"] == .date(stored: true))
        #expect(types["featured"] == .keyword(stored: true, multiValued: false))
        #expect(types["tags"] == .keyword(stored: true, multiValued: true))
        #expect(types["internal_note"] == nil)
        #expect(mapping.textFields == ["title", "body"])
    }
}
