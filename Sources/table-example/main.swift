// table-example: a small in-memory table on the OpenSMTPD library (table API 2).
//
// Keys and values: "root" → "admin@example.org", "postmaster" → "root"; the key "fail"
// makes the lookup and check callbacks throw (a temporary failure); fetch returns
// "192.0.2.1" and "192.0.2.2" in turn. Every request is logged with its params at debug
// level; set TABLE_EXAMPLE_NO_FETCH=1 to leave the fetch callback unset.
import Logging
import OpenSMTPD
#if canImport(Glibc)
    import Glibc
#endif

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .debug
    return handler
}
let logger = Logger(label: "table-example")

struct ExampleFailure: Error, CustomStringConvertible {
    var description: String { "the key \"fail\" always fails" }
}

let values = ["root": "admin@example.org", "postmaster": "root"]
let addresses = ["192.0.2.1", "192.0.2.2"]
var fetched = 0
var updates = 0

let table = Table(logger: logger)
table.onUpdate = {
    updates += 1
    return updates % 2 == 1  // every second update "fails"
}
table.onCheck = { service, params, key in
    logger.debug("check \(service) \(params) \(key)")
    if key == "fail" { throw ExampleFailure() }
    return values[key] != nil
}
table.onLookup = { service, params, key in
    logger.debug("lookup \(service) \(params) \(key)")
    if key == "fail" { throw ExampleFailure() }
    if key == "empty" { return "" }
    return values[key]
}
if getenv("TABLE_EXAMPLE_NO_FETCH") == nil {
    table.onFetch = { service, params in
        logger.debug("fetch \(service) \(params)")
        defer { fetched += 1 }
        return addresses[fetched % addresses.count]
    }
}
table.onClose = { logger.info("closed after \(updates) update(s)") }

do {
    try table.serve()
} catch {
    logger.critical("table-example: \(error)")
    exit(1)
}
