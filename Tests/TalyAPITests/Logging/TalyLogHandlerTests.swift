import Foundation
import Logging
import Testing

@testable import TalyAPI

@Suite("log lines")
struct TalyLogHandlerTests {
    let time = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("text lines carry time, level, label, message and sorted metadata, quoting values with spaces")
    func text() {
        let line = TalyLogHandler.render(
            timestamp: time,
            level: .info,
            label: "taly",
            message: "data opened",
            metadata: ["path": "/my data", "b": "1"],
            format: .text
        )
        #expect(line == #"2027-01-15T08:00:00Z info taly: data opened b=1 path="/my data""#)
    }

    @Test("json lines are one parseable object per event")
    func json() throws {
        let line = TalyLogHandler.render(
            timestamp: time,
            level: .error,
            label: "taly",
            message: "said \"no\"\nthen left",
            metadata: ["tenant": "7"],
            format: .json
        )
        #expect(!line.contains("\n"))
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        #expect(
            object == [
                "time": "2027-01-15T08:00:00Z", "level": "error", "label": "taly",
                "message": "said \"no\"\nthen left", "tenant": "7",
            ]
        )
    }
}
