/// An active ISO 4217 currency code, such as `EUR`, with the exponent of its minor unit.
///
/// Only codes that can price goods are accepted: the fund, precious-metal and testing codes
/// (XAU, XDR, XTS, XXX…) have no minor unit and are refused, as are withdrawn codes (HRK, ANG,
/// CUC, SLL, ZWL).
public struct CurrencyCode: Hashable, Sendable, CustomStringConvertible {
    /// The three uppercase letters.
    public let code: String
    /// How many decimal places the minor unit has: 2 for EUR (cents), 0 for JPY, 3 for KWD.
    public let minorUnitExponent: Int

    /// The code, checked against the ISO 4217 table; `field` names it in the error.
    public init(validating text: String, field: String = "currency") throws(StoreError) {
        guard text.utf8.count == 3, text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) })
        else {
            throw .invalid(
                field: field, reason: "must be three uppercase letters (ISO 4217), got \"\(text.prefix(16))\"")
        }
        guard let exponent = Self.exponents[text] else {
            throw .invalid(field: field, reason: "\(text) is not an active ISO 4217 currency code")
        }
        code = text
        minorUnitExponent = exponent
    }

    /// The code.
    public var description: String { code }

    /// Active codes (ISO 4217 list one, amendments through 2025) by minor-unit exponent.
    /// Grouped by exponent because almost all are 2: a missing code is easier to spot this way.
    static let exponents: [String: Int] = {
        let byExponent: [(Int, String)] = [
            (0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"),
            (
                2,
                """
                AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP \
                BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR \
                FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR \
                KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV \
                MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR \
                SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH \
                USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
                """
            ),
            (3, "BHD IQD JOD KWD LYD OMR TND"),
            (4, "CLF UYW"),
        ]
        var table: [String: Int] = [:]
        for (exponent, codes) in byExponent {
            for code in codes.split(separator: " ") { table[String(code)] = exponent }
        }
        return table
    }()
}

/// A price: an amount in the currency's minor unit (cents for EUR) and its currency.
///
/// Integers, never floating point, so sums and comparisons are exact.
public struct Money: Hashable, Sendable {
    /// The largest amount accepted: 2^53 − 1, so the amount survives a round trip through
    /// JavaScript's numbers in API clients.
    public static let maximumAmount: Int64 = (1 << 53) - 1

    /// The amount in minor units, 0 through `maximumAmount`.
    public let amount: Int64
    /// The currency.
    public let currency: CurrencyCode

    /// A price, checked; `field` prefixes the names in errors (`price.amount`).
    public init(amount: Int64, currency: String, field: String = "price") throws(StoreError) {
        // The fields' names are spelled out only for an error: building both for every valid
        // price was most of a bulk-ingested product's price check.
        do {
            self.amount = try Self.validAmount(amount, field: "amount")
            self.currency = try CurrencyCode(validating: currency, field: "currency")
        } catch .invalid(let name, let reason) {
            throw .invalid(field: "\(field).\(name)", reason: reason)
        }
    }

    /// An amount, checked on its own so that a body's amount and currency problems are reported together.
    static func validAmount(_ amount: Int64, field: String) throws(StoreError) -> Int64 {
        guard (0...maximumAmount).contains(amount) else {
            throw .invalid(field: field, reason: "must be an integer from 0 to \(maximumAmount)")
        }
        return amount
    }
}
