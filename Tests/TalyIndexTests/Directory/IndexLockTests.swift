import Foundation
import Synchronization
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

    @Test("a lock held by another process refuses the writer until that process lets go")
    func otherProcess() throws {
        let dir = try TemporaryDirectory()
        // python3's lockf is the same POSIX record lock (fcntl F_SETLK) the writer takes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import fcntl,sys; f=open(sys.argv[1],'a'); fcntl.lockf(f, fcntl.LOCK_EX); print('held', flush=True); "
                + "sys.stdin.read()",
            dir.path(IndexLock.fileName),
        ]
        let output = Pipe()
        let input = Pipe()
        holder.standardOutput = output
        holder.standardInput = input
        try holder.run()
        let announced = output.fileHandleForReading.availableData
        #expect(String(decoding: announced, as: UTF8.self).hasPrefix("held"))
        #expect(throws: IndexError.locked(directory: dir.path)) { _ = try IndexLock(directory: dir.path) }
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        _ = try IndexLock(directory: dir.path)
    }

    @Test("a writer closed while the process spawns children can be reopened at once, many times")
    func reopenWhileSpawning() throws {
        let dir = try TemporaryDirectory()
        let spawning = SpawningFlag()
        let spawner = Thread {
            while spawning.value.load(ordering: .relaxed) {
                let child = Process()
                child.executableURL = URL(fileURLWithPath: "/bin/true")
                try? child.run()
                child.waitUntilExit()
            }
        }
        spawner.start()
        defer { spawning.value.store(false, ordering: .relaxed) }
        for _ in 0..<300 {
            let lock = try IndexLock(directory: dir.path)
            withExtendedLifetime(lock) {}
        }
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

/// Tells the spawning thread of ``IndexLockTests/reopenWhileSpawning()`` to stop.
private final class SpawningFlag: Sendable {
    let value = Atomic<Bool>(true)
}
