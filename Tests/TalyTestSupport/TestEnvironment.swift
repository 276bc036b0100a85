import Foundation

/// Switches read from the environment by tests.
public enum TestEnvironment {
    /// `TALY_LONG_TESTS=1` runs the long randomized and exhaustive variants.
    public static var longTests: Bool { ProcessInfo.processInfo.environment["TALY_LONG_TESTS"] == "1" }
}
