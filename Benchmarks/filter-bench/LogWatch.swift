import Foundation
import Synchronization

/// Watches a filter's stderr file from a thread of its own and notes when each occurrence
/// of some texts first appeared, so that a mode can time log lines (the prefilter's
/// progress, a reload) while it keeps the filter busy with messages. The file is polled
/// every ``interval`` seconds: the times are late by that much at most, plus a read.
final class LogWatch: Sendable {
    /// How often the file is read.
    static let interval = 0.005

    private let path: String
    private let texts: [String]
    /// For each text, when each of its occurrences was first seen.
    private let seen: Mutex<[String: [ContinuousClock.Instant]]>
    private let stopped = Atomic<Bool>(false)

    /// Starts watching the file at `path` for `texts`.
    init(path: String, texts: [String]) {
        self.path = path
        self.texts = texts
        seen = Mutex(Dictionary(uniqueKeysWithValues: texts.map { ($0, []) }))
        // Weak: the thread ends when the watch goes, as well as on stop().
        Thread.detachNewThread { [weak self] in
            while let watch = self, !watch.stopped.load(ordering: .relaxed) {
                watch.poll()
                usleep(UInt32(Self.interval * 1e6))
            }
        }
    }

    deinit { stop() }

    /// Stops the watching thread (after its current poll).
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// Reads the file once and notes the occurrences not seen before.
    private func poll() {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let now = ContinuousClock.now
        let text = String(decoding: data, as: UTF8.self)
        let counts = texts.map { text.components(separatedBy: $0).count - 1 }
        seen.withLock { seen in
            for (watched, count) in zip(texts, counts) {
                while seen[watched, default: []].count < count { seen[watched, default: []].append(now) }
            }
        }
    }

    /// When each occurrence of `text` (one of the watched texts) was first seen, in order.
    func occurrences(of text: String) -> [ContinuousClock.Instant] {
        seen.withLock { $0[text] ?? [] }
    }

    /// When occurrence number `number` (1 for the first) of `text` was seen, waiting for it
    /// up to `timeout` seconds.
    func wait(for text: String, occurrence number: Int = 1, timeout: Double) throws -> ContinuousClock.Instant {
        let start = ContinuousClock.now
        while true {
            let found = occurrences(of: text)
            if found.count >= number { return found[number - 1] }
            guard seconds(ContinuousClock.now - start) < timeout else {
                throw BenchmarkFailure("no '\(text)' (occurrence \(number)) in the filter's log after \(timeout) s")
            }
            usleep(5_000)
        }
    }
}
