import Foundation

/// Progress of long CLI work on standard error: rewritten in place on a terminal (count, rate,
/// and with a known input size a bar and an ETA from the bytes read), or one plain line every
/// few seconds when standard error is a file or a pipe.
final class ProgressLine {
    private let unit: String
    private let totalBytes: Int?
    private let start = Date()
    private lazy var lastPrint = start
    private let isTerminal = isatty(FileHandle.standardError.fileDescriptor) == 1

    init(unit: String, totalBytes: Int? = nil) {
        self.unit = unit
        self.totalBytes = totalBytes.flatMap { $0 > 0 ? $0 : nil }
    }

    func update(count: Int, bytes: Int) {
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : 5) else { return }
        lastPrint = now
        write(count: count, bytes: bytes, final: false)
    }

    func finish(count: Int, bytes: Int) { write(count: count, bytes: bytes, final: true) }

    private func write(count: Int, bytes: Int, final: Bool) {
        let seconds = max(Date().timeIntervalSince(start), 0.001)
        var text = String(
            format: "%d %@, %.0f %@/s, %.1f MB/s, %.1f s",
            count, unit, Double(count) / seconds, unit, Double(bytes) / seconds / 1e6, seconds
        )
        if let totalBytes, !final {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let eta = fraction > 0 ? seconds * (1 - fraction) / fraction : 0
            text += String(format: ", %.0f%%, ETA %.0f s", fraction * 100, eta)
            if isTerminal {
                let width = 24
                let filled = Int(fraction * Double(width))
                text =
                    "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                    + text
            }
        }
        let line = isTerminal ? "\r\u{1B}[K" + text + (final ? "\n" : "") : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
