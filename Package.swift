// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "filter-rules",
    // Linux only: the library and the programs call Glibc, read /proc and use Linux's
    // socket and pipe behaviour, so no Apple platform is declared (the README says so).
    products: [
        .library(name: "OpenSMTPD", targets: ["OpenSMTPD"]),
        .executable(name: "filter-example", targets: ["filter-example"]),
        .library(name: "FilterRules", targets: ["FilterRules"]),
        .executable(name: "filter-rules", targets: ["filter-rules"]),
        .executable(name: "filter-bench", targets: ["filter-bench"]),
        .executable(name: "table-pcre", targets: ["table-pcre"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.11.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.60.0"),
    ],
    targets: [
        // Tiny C shim: SCM_RIGHTS descriptor passing and fcntl, which Swift cannot reach.
        .target(name: "COpenSMTPDShims"),

        // Protocol codec, session engine and transport of the OpenSMTPD filter API 52.
        .target(
            name: "OpenSMTPD",
            dependencies: [
                "COpenSMTPDShims",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // PCRE2 (8-bit code units) from Debian's libpcre2-dev.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),

        // The PCRE2 wrapper: compiled regexes, match limits and deadlines, per-thread match scratch.
        .target(
            name: "PCRE2Matching",
            dependencies: ["CPCRE2"]
        ),

        // Configuration files as UTF-8 text: reading them (and why one cannot be read), places in them.
        .target(name: "ConfigurationFiles"),

        // MIME decoding as a message streams: decoded headers, text, file names and types (iconv from libc).
        .target(name: "MIMEStream"),

        // Tiny C shim: Vectorscan (Hyperscan-compatible), the rules' prefilter, opened with
        // dlopen at run time (types from Debian's libvectorscan-dev), so that a machine
        // without libvectorscan5 runs on PCRE2 alone.
        .target(
            name: "CVectorscan",
            linkerSettings: [.linkedLibrary("dl")]
        ),

        // What the DNS resolver and the Redis client share: an event thread of their own,
        // woken by a pipe when callers hand it work.
        .target(name: "EventThreads"),

        // c-ares from Debian's libc-ares-dev: asynchronous DNS for the rules' DNS lists.
        .systemLibrary(
            name: "CAres",
            pkgConfig: "libcares",
            providers: [.apt(["libc-ares-dev"])]
        ),

        // DNS lists: query names, answer codes, a TTL cache and an asynchronous resolver on
        // c-ares (one event thread, no thread per query).
        .target(
            name: "DNSLists",
            dependencies: [
                "CAres",
                "EventThreads",
                "ConfigurationFiles",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // hiredis from Debian's libhiredis-dev: the RESP parser and command formatter of the
        // Redis store.
        // (No pkgConfig: hiredis's .pc file adds -D_FILE_OFFSET_BITS=64, which SwiftPM
        // refuses with a warning; the header and library are on the standard paths.)
        .systemLibrary(
            name: "CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),

        // A Redis connection on an event thread of its own: pipelined commands, a deadline
        // each, reconnection and a circuit breaker.
        .target(
            name: "RedisClient",
            dependencies: ["CHiredis", "EventThreads", "RuleStores", .product(name: "Logging", package: "swift-log")]
        ),

        // What rules remember across sessions: rate limits (GCRA) and lists with a time to
        // live, in the filter's memory.
        .target(
            name: "RuleStores",
            dependencies: ["ConfigurationFiles", .product(name: "Logging", package: "swift-log")]
        ),

        // The rules' store in Redis, shared by several filter-rules processes: server-side
        // scripts on the Redis client.
        .target(
            name: "RedisStore",
            dependencies: ["RedisClient", "RuleStores", .product(name: "Logging", package: "swift-log")]
        ),

        // The rules language: parser, diagnostics, PCRE2 matchers, the Vectorscan prefilter,
        // DNS list terms and the per-session evaluator.
        .target(
            name: "FilterRules",
            dependencies: ["ConfigurationFiles", "PCRE2Matching", "CVectorscan", "MIMEStream", "DNSLists", "RuleStores"]
        ),

        // The session engine: rules applied to SMTP sessions, shared by serve and the dry-run;
        // reloads, hit counts, transcripts, and the adapters to the daemon's protocols.
        .target(
            name: "FilterRulesEngine",
            dependencies: [
                "OpenSMTPD",
                "ConfigurationFiles",
                "FilterRules",
                "DNSLists",
                "RuleStores",
                "RedisStore",
                "PCRE2Matching",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),

        // The metrics endpoint: the engine's swift-metrics in a Prometheus registry, served as
        // the Prometheus (or OpenMetrics) text format by a small HTTP listener on swift-nio.
        .target(
            name: "MetricsEndpoint",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Tiny C shim: blocks the daemon's signals at program load, before Swift starts.
        .target(name: "CFilterRulesEarlySignals"),

        // What the command-line programs share: stderr output and logging, usage exit status.
        .target(
            name: "CommandLineSupport",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The filter-rules command: serve, check, test, reload.
        .executableTarget(
            name: "filter-rules",
            dependencies: [
                "CFilterRulesEarlySignals",
                "CommandLineSupport",
                "ConfigurationFiles",
                "DNSLists",
                "FilterRulesEngine",
                "MetricsEndpoint",
                "OpenSMTPD",
                "RuleStores",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The example filter of the Go package opensmtpd.v52, ported; the protocol tests run it.
        .executableTarget(
            name: "filter-example",
            dependencies: [
                "OpenSMTPD",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A test double of the daemon side of OpenSMTPD, written from the fact sheets.
        .target(
            name: "SMTPDTestDouble",
            dependencies: ["COpenSMTPDShims"]
        ),

        // What the test targets and filter-bench share (a quiet logger, a session on a rules
        // text, a base64 encoder); used only by tests and benchmarks, like NIOTestUtils.
        .target(
            name: "TestSupport",
            dependencies: [
                "FilterRules",
                "SMTPDTestDouble",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks of real filter processes and of the engine in process (`filter-bench --help`).
        .executableTarget(
            name: "filter-bench",
            dependencies: [
                "SMTPDTestDouble",
                "TestSupport",
                "FilterRules",
                "PCRE2Matching",
                "MIMEStream",
                "CVectorscan",
                "CommandLineSupport",
                "RuleStores",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/filter-bench"
        ),

        // The line mode's reference: a minimal C filter that echoes data lines (OpenSMTPD 6.6+).
        .executableTarget(name: "line-echo-filter", path: "Benchmarks/line-echo-filter"),

        // table-pcre's map files: parsing with file:line:column diagnostics, matching, expansion.
        .target(
            name: "PCRETable",
            dependencies: [
                "OpenSMTPD",
                "ConfigurationFiles",
                "PCRE2Matching",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The table-pcre command: serve (table API 2), check, lookup.
        .executableTarget(
            name: "table-pcre",
            dependencies: [
                "CommandLineSupport",
                "ConfigurationFiles",
                "PCRETable",
                "OpenSMTPD",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A small in-memory table on the library; the table protocol tests run it.
        .executableTarget(
            name: "table-example",
            dependencies: [
                "OpenSMTPD",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(
            name: "OpenSMTPDTests",
            dependencies: [
                "OpenSMTPD",
                "SMTPDTestDouble",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FilterRulesTests",
            dependencies: ["ConfigurationFiles", "FilterRules", "PCRE2Matching", "RuleStores", "SMTPDTestDouble", "TestSupport"]
        ),
        .testTarget(
            name: "DNSListsTests",
            dependencies: ["DNSLists", "TestSupport"]
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "RedisStore", "RuleStores", "TestSupport"]
        ),
        .testTarget(
            name: "RuleStoresTests",
            dependencies: ["RuleStores", "TestSupport"]
        ),
        .testTarget(
            name: "MIMEStreamTests",
            dependencies: ["MIMEStream", "TestSupport"]
        ),
        .testTarget(
            name: "FilterRulesEngineTests",
            dependencies: ["FilterRules", "FilterRulesEngine", "RuleStores", "TestSupport"]
        ),
        .testTarget(
            name: "MetricsEndpointTests",
            dependencies: ["MetricsEndpoint", "TestSupport", .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        .testTarget(
            name: "FilterRulesServeTests",
            dependencies: ["SMTPDTestDouble", "filter-rules", "table-pcre"]
        ),
        .testTarget(
            name: "FilterProtocolTests",
            dependencies: ["SMTPDTestDouble", "filter-example"]
        ),
        // Debian's real smtpd (6.6+ line protocol) with the built filter-rules and table-pcre; skipped without smtpd or root.
        .testTarget(
            name: "FilterRulesInteropTests",
            dependencies: ["SMTPDTestDouble", "filter-rules", "table-pcre"]
        ),
        .testTarget(
            name: "OpenSMTPDTableTests",
            dependencies: ["SMTPDTestDouble", "OpenSMTPD", "table-example"]
        ),
        .testTarget(
            name: "PCRETableTests",
            dependencies: ["PCRETable", "ConfigurationFiles", "PCRE2Matching", "SMTPDTestDouble", "table-pcre"]
        ),

        // libFuzzer targets for the parsers (scripts/fuzz); in the normal build, a replayer of inputs.
        .target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(
            name: "filter-fuzz",
            dependencies: [
                "CLibFuzzer",
                "OpenSMTPD",
                "FilterRules",
                "MIMEStream",
                "FilterRulesEngine",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/filter-fuzz"
        ),
        .testTarget(
            name: "FuzzCorpusTests",
            dependencies: ["SMTPDTestDouble", "filter-fuzz"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
