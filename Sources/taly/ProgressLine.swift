import Foundation

/// Progress of long CLI work on standard error: rewritten in place on a terminal (count, rate),
/// or one plain line every few seconds when standard error is a file or a pipe.
final class ProgressLine {
    private let unit: String
    private let start = Date()
    private lazy var lastPrint = start
    private let isTerminal = isatty(FileHandle.standardError.fileDescriptor) == 1

    init(unit: String) { self.unit = unit }

    func update(count: Int, bytes: Int) {
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : 5) else { return }
        lastPrint = now
        write(count: count, bytes: bytes, final: false)
    }

    func finish(count: Int, bytes: Int) { write(count: count, bytes: bytes, final: true) }

    private func write(count: Int, bytes: Int, final: Bool) {
        let seconds = max(Date().timeIntervalSince(start), 0.001)
        let text = String(
            format: "%d %@, %.0f %@/s, %.1f MB/s, %.1f s",
            count, unit, Double(count) / seconds, unit, Double(bytes) / seconds / 1e6, seconds
        )
        let line = isTerminal ? "\r\u{1B}[K" + text + (final ? "\n" : "") : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
