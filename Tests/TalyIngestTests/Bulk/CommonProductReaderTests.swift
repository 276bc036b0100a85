import Foundation
import TalyTestSupport
import Testing

@testable import TalyIngest
@testable import TalyStore

@Suite("bulk ingest's product records read straight into drafts")
struct CommonProductReaderTests {
    /// Random product records, mostly of the usual shape, with the odd member, value, escape or
    /// space that takes a record off it or gets it rejected.
    struct Records {
        var random: SplitMix64

        mutating func pick<T>(_ choices: [T]) -> T { choices[Int(random.next() % UInt64(choices.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

        mutating func space() -> String { chance(10) ? pick([" ", "\n", "\t ", "  ", "\r\n"]) : "" }

        /// A JSON string literal: plain mostly, with escapes, slashes, bytes past ASCII, DEL and
        /// white space at any place.
        mutating func string(maximumLength: Int = 24) -> String {
            let pieces = [
                "\\\"", "\\\\", "\\/", "/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "é", "Ω", "😀", " ", "\u{7F}",
                "\\u0001", ":", ",", "{", "}",
            ]
            var body = ""
            let length = Int(random.next() % UInt64(maximumLength + 1))
            for _ in 0..<length {
                body += chance(12) ? pick(pieces) : String(UnicodeScalar(UInt8(97 + random.next() % 26)))
            }
            if chance(2) { body = " " + body + " " }
            return "\"" + body + "\""
        }

        mutating func number() -> String {
            pick([
                "0", "-0", "7", "2017", "-42", "999999999999999999", "9223372036854775807", "9223372036854775808",
                "1.5", "2.0", "-2e3", "1e400", "0.1", "123456789012345678901234",
            ])
        }

        mutating func attributeValue() -> String {
            switch random.next() % 16 {
            case 0..<6: string(maximumLength: chance(2) ? 2100 : 16)
            case 6..<10: number()
            case 10, 11: pick(["true", "false"])
            case 12, 13: array()
            case 14: pick(["null", "{}", "[]", "[[1]]", "[null]", "[{}]", "[1,]", "[,1]"])
            default: String(random.next() % 100_000)
            }
        }

        /// An array: mostly short lists of plain strings (a catalog's tags), some with numbers,
        /// booleans, escapes or spaces, some longer than the 100 elements a value may hold or the
        /// elements the straight reader keeps.
        mutating func array() -> String {
            let count = chance(3) ? pick([100, 101, 300]) : Int(random.next() % 12)
            var elements: [String] = []
            // Long lists plain, or nearly every one would hold some element that takes it off
            // the straight reader's shape.
            let plain = count >= 100
            for _ in 0..<count {
                switch plain ? 0 : random.next() % 10 {
                case 0..<6: elements.append(chance(80) ? "\"tag::\(random.next() % 50)\"" : string(maximumLength: 10))
                case 6, 7: elements.append(number())
                default: elements.append(pick(["true", "false"]))
                }
            }
            return "[" + space() + elements.joined(separator: "," + space()) + space() + "]"
        }

        mutating func attributes() -> String {
            if chance(3) { return pick(["null", "[]", "\"x\"", "{}"]) }
            let names = [
                "source", "version", "month", "year", "popular", "bytes", "a", "ab", "b", "é", "a/b", "x\\\"y",
                "z\\u0041", "", "\u{7F}", String(repeating: "n", count: 70),
            ]
            var members: [String] = []
            for _ in 0..<Int(random.next() % (chance(2) ? 40 : 9)) {
                let name = chance(85) ? pick(names) : string(maximumLength: 8).dropFirst().dropLast().description
                members.append("\"\(name)\"\(space()):\(space())\(attributeValue())")
            }
            return "{" + space() + members.joined(separator: "," + space()) + space() + "}"
        }

        mutating func price() -> String {
            if chance(3) { return pick(["null", "7", "{}", "[]"]) }
            var members: [String] = []
            if !chance(3) {
                members.append("\"amount\":\(space())" + (chance(90) ? String(random.next() % 100_000) : number()))
            }
            if !chance(3) {
                members.append(
                    "\"currency\": "
                        + (chance(90)
                            ? pick(["\"EUR\"", "\"JPY\""])
                            : pick(["\"eur\"", "\"XXX\"", "\"EURO\"", "3", "\"E\\u0055R\""])))
            }
            if chance(3) { members.append(pick(["\"amount\": 5", "\"currency\": \"USD\"", "\"cents\": 1"])) }
            if chance(50) { members.reverse() }
            return "{" + members.joined(separator: "," + space()) + "}"
        }

        mutating func record() -> String {
            var members: [(String, String)] = []
            if !chance(3) {
                members.append(("sku", chance(90) ? "\"pypi:\(random.next() % 1000)\"" : string(maximumLength: 70)))
            }
            if !chance(3) { members.append(("title", string())) }
            if !chance(10) { members.append(("description", chance(95) ? string(maximumLength: 120) : "null")) }
            if !chance(3) { members.append(("price", price())) }
            if !chance(5) { members.append(("attributes", attributes())) }
            if !chance(10) {
                members.append(
                    (
                        "status",
                        chance(95) ? pick(["\"active\"", "\"draft\"", "\"archived\""]) : pick(["\"gone\"", "1"])
                    ))
            }
            if chance(3) {
                members.append(
                    pick([
                        ("sku", "\"again\""), ("colour", "\"red\""), ("attributes", "{\"c\": 1}"),
                        ("titl\\u0065", "\"t\""),
                    ]))
            }
            for index in members.indices.reversed() where chance(15) {
                members.swapAt(index, Int(random.next() % UInt64(index + 1)))
            }
            var text = space() + "{" + space()
            text += members.map { "\"\($0.0)\"" + space() + ":" + space() + $0.1 }.joined(
                separator: space() + "," + space())
            text += space() + "}" + space()
            if chance(1) { text = String(text.dropLast(Int(random.next() % 5))) }
            if chance(1) { text += pick(["x", "{}", ","]) }
            return text
        }
    }

    static func decode(_ text: String, common: Bool, serializes: Bool) -> Result<ValidRecord, RecordRejection> {
        BulkRecordDecoder(target: .products, serializesForWrite: serializes, readsCommonProducts: common)
            .decode(ArraySlice(Array(text.utf8)), isCSV: false)
    }

    @Test("records read straight into drafts give the general path's drafts, texts and rejections (seeded)")
    func sameAsGeneralPath() throws {
        try withTestSeed { seed in
            var records = Records(random: SplitMix64(seed: seed))
            var readStraight = 0
            var readStraightWithArrays = 0
            var rejected = 0
            for round in 0..<6000 {
                let text = records.record()
                let serializes = round % 4 != 3
                let common = Self.decode(text, common: true, serializes: serializes)
                let general = Self.decode(text, common: false, serializes: serializes)
                let straight = Array(text.utf8).withUnsafeBytes {
                    JSONParser.commonProductDraft($0, serializesForWrite: serializes)
                }
                switch (common, general) {
                case (.success(.product(let draft)), .success(.product(let expected))):
                    #expect(draft == expected, "round \(round): \(text) (seed \(seed))")
                    #expect(
                        draft.encoded?.attributes.column == expected.encoded?.attributes.column,
                        "round \(round): \(text) (seed \(seed))")
                    #expect(
                        draft.encoded?.attributes.payload == expected.encoded?.attributes.payload,
                        "round \(round): \(text) (seed \(seed))")
                    #expect(
                        draft.encoded?.creationDetails == expected.encoded?.creationDetails,
                        "round \(round): \(text) (seed \(seed))")
                    let dates = RowDates(Date(timeIntervalSince1970: 1_700_000_000))
                    #expect(
                        draft.encoded?.creationEvent.payload(id: Int64(round + 1), dates: dates)
                            == expected.encoded?.creationEvent.payload(id: Int64(round + 1), dates: dates),
                        "round \(round): \(text) (seed \(seed))")
                    #expect((draft.encoded != nil) == serializes, "round \(round)")
                    if let straight {
                        readStraight += 1
                        if straight.attributes.values.contains(where: {
                            if case .array(let elements) = $0 { !elements.isEmpty } else { false }
                        }) {
                            readStraightWithArrays += 1
                        }
                        #expect(straight == expected, "round \(round): \(text) (seed \(seed))")
                    }
                case (.failure(let rejection), .failure(let expected)):
                    rejected += 1
                    // Rejections always come from the general path. Of several bad attributes it
                    // names the first in its dictionary's order, which differs between any two
                    // dictionaries (each storage has its own hash seed): only then may two runs
                    // name different ones.
                    let attributesOrder = [rejection, expected].allSatisfy {
                        $0.field == "attributes" || $0.field.hasPrefix("attributes.")
                    }
                    #expect(rejection == expected || attributesOrder, "round \(round): \(text) (seed \(seed))")
                    #expect(straight == nil, "round \(round): \(text) read straight but rejected (seed \(seed))")
                default:
                    Issue.record("round \(round): \(text): \(common) against \(general) (seed \(seed))")
                }
            }
            // Both kinds are exercised, not only the general path.
            #expect(readStraight > 300, "\(readStraight) read straight (seed \(seed))")
            #expect(readStraightWithArrays > 30, "\(readStraightWithArrays) with arrays read straight (seed \(seed))")
            #expect(rejected > 600, "\(rejected) rejected (seed \(seed))")
        }
    }

    @Test("arrays of scalars are copied as the dictionary writes them, spaces dropped")
    func arrayTexts() throws {
        let text = #"""
            {"sku": "deb:0ad", "title": "0ad", "price": {"amount": 0, "currency": "EUR"},
             "attributes": {"tags": [ "game::strategy" , "x11::application","a/b" ], "empty": [], "mixed": [1, -20, true, "é"],
             "section": "games"}}
            """#
        guard
            let draft = Array(text.utf8).withUnsafeBytes({ JSONParser.commonProductDraft($0, serializesForWrite: true) }
            )
        else {
            Issue.record("not read straight")
            return
        }
        #expect(
            draft.attributes["tags"]
                == .array([.string("game::strategy"), .string("x11::application"), .string("a/b")]))
        #expect(draft.attributes["mixed"] == .array([.integer(1), .integer(-20), .bool(true), .string("é")]))
        #expect(draft.attributes["empty"] == .array([]))
        let expected = try ProductRecord.attributesTexts(draft.attributes)
        #expect(draft.encoded?.attributes.payload == expected.payload)
        #expect(draft.encoded?.attributes.column == expected.column)
        #expect(
            draft.encoded?.attributes.payload
                == #"{"empty":[],"mixed":[1,-20,true,"é"],"section":"games","tags":["game::strategy","x11::application","a/b"]}"#
        )
    }

    @Test("an array over the elements a value may hold is rejected as the general path rejects it")
    func longArray() {
        for count in [100, 101, 300] {
            let tags = (0..<count).map { "\"tag::\($0)\"" }.joined(separator: ", ")
            let text =
                #"{"sku": "deb:x", "title": "X", "price": {"amount": 0, "currency": "EUR"}, "attributes": {"tags": ["#
                + tags + "]}}"
            let common = Self.decode(text, common: true, serializes: true)
            let general = Self.decode(text, common: false, serializes: true)
            switch (common, general) {
            case (.success(.product(let draft)), .success(.product(let expected))):
                #expect(count <= AttributeValue.maximumArrayCount)
                #expect(draft == expected && draft.encoded?.attributes.payload == expected.encoded?.attributes.payload)
            case (.failure(let rejection), .failure(let expected)):
                #expect(count > AttributeValue.maximumArrayCount)
                #expect(rejection == expected)
                #expect(rejection.field == "attributes.tags")
            default:
                Issue.record("\(count) elements: \(common) against \(general)")
            }
        }
    }

    @Test("the attributes' texts copied from the record are those the dictionary writes")
    func texts() throws {
        let text = #"""
            {"sku": "pypi:x/y", "title": "T", "price": {"currency": "EUR", "amount": 5},
             "attributes": {"z": 1.0, "b": "a/b", "é": -0, "a": true, "ab": 2.5e3, "aa": "Ω"}}
            """#
        guard
            let draft = Array(text.utf8).withUnsafeBytes({ JSONParser.commonProductDraft($0, serializesForWrite: true) }
            )
        else {
            Issue.record("not read straight")
            return
        }
        #expect(draft.encoded?.attributes.payload == #"{"a":true,"aa":"Ω","ab":2500,"b":"a/b","z":1,"é":0}"#)
        #expect(draft.encoded?.attributes.column == #"{"a":true,"aa":"Ω","ab":2500,"b":"a\/b","z":1,"é":0}"#)
        #expect(draft.encoded?.creationDetails == #"{"sku":"pypi:x/y"}"#)
        #expect(draft.encoded?.attributes.payload == (try ProductRecord.attributesTexts(draft.attributes)).payload)
    }
}
