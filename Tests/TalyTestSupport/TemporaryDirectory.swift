import Foundation

/// A directory under the system temporary folder, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    /// Where the directory is.
    public let url: URL

    /// Creates a new, empty, uniquely named directory.
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("taly-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The directory's path.
    public var path: String { url.path }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
