// TestSupport: what the test targets and Benchmarks/filter-bench share, so that each helper
// is written once (like swift-nio's NIOTestUtils): a quiet logger, a session on a rules
// text, a base64 encoder of the tests' own. Only test targets and the benchmark depend on
// it, never a shipped program. The daemon-side helpers (the little-endian writers, the
// seeded generator) live in SMTPDTestDouble, whose own code uses them.
