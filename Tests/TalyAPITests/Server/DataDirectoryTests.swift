import Foundation
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("the data directory")
struct DataDirectoryTests {
    @Test("is created with its parents on first start")
    func createsParents() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("a/b/data")
        _ = try DataDirectory(preparing: path)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty, "the probe file is removed")
    }

    @Test("a path below a regular file is refused with the errno's words")
    func belowAFile() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("file")
        try Data().write(to: URL(fileURLWithPath: file))
        #expect(throws: DataDirectoryError.cannotCreate(path: file + "/data", reason: "Not a directory")) {
            _ = try DataDirectory(preparing: file + "/data")
        }
    }

    @Test("a regular file in its place is refused")
    func isAFile() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("file")
        try Data().write(to: URL(fileURLWithPath: file))
        #expect(throws: DataDirectoryError.notADirectory(path: file)) { _ = try DataDirectory(preparing: file) }
    }

    @Test("a directory that cannot take files is reported not writable")
    func notWritable() throws {
        // /proc/self is a directory nobody, root included, can create files in.
        #expect {
            _ = try DataDirectory(preparing: "/proc/self")
        } throws: { error in
            guard case .notWritable(let path, _) = error as? DataDirectoryError else { return false }
            return path == "/proc/self"
        }
    }
}
