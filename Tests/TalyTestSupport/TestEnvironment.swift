import Foundation

/// Switches read from the environment by tests.
public enum TestEnvironment {
    /// `TALY_LONG_TESTS=1` runs the long randomized and exhaustive variants.
    public static var longTests: Bool { ProcessInfo.processInfo.environment["TALY_LONG_TESTS"] == "1" }
}

extension TestEnvironment {
    /// The repository's root directory.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The workplace's shared material (corpora, query logs, relevance collections): `TALY_SHARED`
    /// when set, else `../shared` beside the repository, else `/work/shared`. Tests that need it
    /// fail when none exists, rather than skip.
    public static var sharedDirectory: URL? {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["TALY_SHARED"] {
            candidates.append(URL(fileURLWithPath: path))
        }
        candidates.append(repositoryRoot.appendingPathComponent("../shared").standardized)
        candidates.append(URL(fileURLWithPath: "/work/shared"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("data").path) }
    }
}
