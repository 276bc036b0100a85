import Foundation
import Logging
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("resolving the configuration")
struct TalyConfigurationTests {
    @Test("with no source set, the embedded defaults apply")
    func defaults() throws {
        let resolved = try TalyConfiguration.resolve(flags: ConfigurationLayer(), configFile: nil, environment: [:])
        #expect(resolved == .defaults)
        #expect(resolved.databasePath == "./data/taly.sqlite")
    }

    @Test("flags beat environment variables, which beat the config file, which beats the defaults")
    func precedence() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("taly.json")
        try Data(#"{"host": "0.0.0.0", "port": 7000, "data_dir": "/file/data", "log_level": "debug"}"#.utf8)
            .write(to: URL(fileURLWithPath: file))
        let environment = ["TALY_PORT": "7100", "TALY_DATA_DIR": "/env/data", "TALY_CONFIG": file]
        let flags = try ConfigurationLayer(dataDirectory: "/flag/data")

        let resolved = try TalyConfiguration.resolve(flags: flags, configFile: nil, environment: environment)
        #expect(resolved.dataDirectory == "/flag/data")  // flag over env and file
        #expect(resolved.port == 7100)  // env over file
        #expect(resolved.host == "0.0.0.0")  // file over default
        #expect(resolved.logLevel == .debug)  // file over default
        #expect(resolved.logFormat == .text)  // default
    }

    @Test("--config names the file even when TALY_CONFIG names another")
    func configFlagBeatsEnvironmentFile() throws {
        let dir = try TemporaryDirectory()
        try Data(#"{"port": 1111}"#.utf8).write(to: dir.url.appendingPathComponent("a.json"))
        try Data(#"{"port": 2222}"#.utf8).write(to: dir.url.appendingPathComponent("b.json"))
        let resolved = try TalyConfiguration.resolve(
            flags: ConfigurationLayer(),
            configFile: dir.path("a.json"),
            environment: ["TALY_CONFIG": dir.path("b.json")]
        )
        #expect(resolved.port == 1111)
    }

    @Test(
        "bad values are errors naming their source",
        arguments: [
            (["TALY_PORT": "eighty"], "TALY_PORT is \"eighty\", expected a port number 0-65535"),
            (["TALY_PORT": "70000"], "TALY_PORT is \"70000\", expected a port number 0-65535"),
            (["TALY_LOG_FORMAT": "xml"], "TALY_LOG_FORMAT is \"xml\", expected text or json"),
            (["TALY_DATA_DIR": ""], "TALY_DATA_DIR is \"\", expected a directory path"),
        ]
    )
    func badEnvironment(environment: [String: String], message: String) {
        #expect {
            _ = try TalyConfiguration.resolve(flags: ConfigurationLayer(), configFile: nil, environment: environment)
        } throws: { error in
            (error as? ConfigurationError)?.description == message
        }
    }

    @Test(
        "a malformed config file is refused with what is wrong in it",
        arguments: [
            ("{not json", "not valid JSON"),
            ("[1, 2]", "the top level must be a JSON object"),
            (#"{"prot": 8080}"#, "unknown key \"prot\""),
            (#"{"port": "high"}"#, "\"port\" in"),
            (#"{"host": 12}"#, "\"host\" has the wrong type"),
        ]
    )
    func malformedFile(contents: String, fragment: String) throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("taly.json")
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        #expect {
            _ = try TalyConfiguration.resolve(flags: ConfigurationLayer(), configFile: file, environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(fragment) == true
        }
    }

    @Test("a missing config file is an error naming the file")
    func missingFile() {
        #expect {
            _ = try TalyConfiguration.resolve(
                flags: ConfigurationLayer(),
                configFile: "/nonexistent/taly.json",
                environment: [:]
            )
        } throws: { error in
            guard case .unreadableFile(let path, _) = error as? ConfigurationError else { return false }
            return path == "/nonexistent/taly.json"
        }
    }

    @Test("gateway settings come from the environment and the config file")
    func gatewaySettings() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("taly.json")
        try Data(
            #"{"max_body_bytes": 2048, "max_ingest_body_bytes": 65536, "trust_forwarded_for": true, "rate_limit_address": "10/2.5", "cors_origins": "https://a.example, https://b.example"}"#
                .utf8
        ).write(to: URL(fileURLWithPath: file))
        let resolved = try TalyConfiguration.resolve(
            flags: ConfigurationLayer(), configFile: file,
            environment: ["TALY_RATE_LIMIT_CREDENTIAL": "0/0", "TALY_LOGIN_FAILURES_PER_ACCOUNT": "5"])
        #expect(resolved.gateway.maxBodyBytes == 2048)
        #expect(resolved.gateway.maxIngestBodyBytes == 65536)
        let fromEnvironment = try TalyConfiguration.resolve(
            flags: ConfigurationLayer(), configFile: nil, environment: ["TALY_MAX_INGEST_BODY_BYTES": "4096"])
        #expect(fromEnvironment.gateway.maxIngestBodyBytes == 4096)
        #expect(fromEnvironment.gateway.maxBodyBytes == GatewaySettings.defaults.maxBodyBytes)
        #expect(resolved.gateway.trustForwardedFor)
        #expect(resolved.gateway.rateLimitPerAddress == RateLimit(burst: 10, perSecond: 2.5))
        #expect(!resolved.gateway.rateLimitPerCredential.isEnabled)
        #expect(resolved.gateway.corsAllowedOrigins == ["https://a.example", "https://b.example"])
        #expect(resolved.gateway.loginFailuresPerAccountPerHour == 5)
        for (key, value) in [
            ("TALY_RATE_LIMIT_ADDRESS", "10"), ("TALY_RATE_LIMIT_ADDRESS", "5/0"), ("TALY_MAX_BODY_BYTES", "-1"),
            ("TALY_TRUST_FORWARDED_FOR", "maybe"), ("TALY_MAX_INGEST_BODY_BYTES", "0"),
        ] {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") {
                _ = try TalyConfiguration.resolve(
                    flags: ConfigurationLayer(), configFile: nil, environment: [key: value])
            }
        }
    }

    @Test("a port flag outside 0-65535 is refused")
    func badPortFlag() {
        #expect(throws: ConfigurationError.self) { _ = try ConfigurationLayer(port: -1) }
    }
}
