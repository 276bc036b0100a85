import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the index write lock")
struct IndexLockTests {
    @Test("a second writer on the same directory gets a clear error until the first lets go")
    func exclusive() throws {
        let dir = try TemporaryDirectory()
        var first: IndexLock? = try IndexLock(directory: dir.path)
        #expect(throws: IndexError.locked(directory: dir.path)) { _ = try IndexLock(directory: dir.path) }
        #expect(
            IndexError.locked(directory: "/x").description
                == "/x: another writer has this index open (only one writer per index directory)"
        )
        withExtendedLifetime(first) {}
        first = nil
        _ = try IndexLock(directory: dir.path)
    }

    @Test("a directory that does not exist is an io error naming the lock path")
    func missingDirectory() {
        #expect {
            _ = try IndexLock(directory: "/nonexistent/index")
        } throws: { error in
            guard case .io(let path, _, _) = error as? IndexError else { return false }
            return path == "/nonexistent/index/write.lock"
        }
    }
}
