import Logging
@testable import OpenSMTPD
import Testing
import TestSupport

@Suite("Line protocol: link-auth and link-tls reports")
struct LineSessionFactTests {
    /// A filter that records the auth and TLS reports it hears.
    private final class Recorder: @unchecked Sendable {
        var auth: [String] = []
        var tls: [String] = []
    }

    private func filter(_ recorder: Recorder) -> LineFilter {
        let filter = LineFilter(logger: .quiet)
        filter.onLinkAuth = { session, user, result in recorder.auth.append("\(session.id):\(user):\(result)") }
        filter.onLinkTLS = { session, summary in recorder.tls.append("\(session.id):\(summary)") }
        return filter
    }

    @Test("both reports are registered when their callbacks are set")
    func registration() throws {
        let recorder = Recorder()
        let output = try filter(recorder).handle(line: Array("config|ready".utf8))
        #expect(
            String(decoding: output, as: UTF8.self) == """
                register|report|smtp-in|link-connect
                register|report|smtp-in|link-disconnect
                register|report|smtp-in|link-auth
                register|report|smtp-in|link-tls
                register|ready

                """)
    }

    @Test("link-auth is username|result before 0.7 and result|username from 0.7 on; a user name may hold a bar")
    func fieldOrder() throws {
        let recorder = Recorder()
        let line = filter(recorder)
        for text in [
            "report|0.6|1.0|smtp-in|link-connect|00000000000000a1|h|pass|192.0.2.1:1|192.0.2.2:25",
            "report|0.6|1.0|smtp-in|link-auth|00000000000000a1|bob|pass",
            "report|0.6|1.0|smtp-in|link-auth|00000000000000a1|odd|name|fail",
            "report|0.7|1.0|smtp-in|link-auth|00000000000000a1|pass|alice",
            "report|0.7|1.0|smtp-in|link-auth|00000000000000a1|error|we|ird",
            "report|0.7|1.0|smtp-in|link-tls|00000000000000a1|TLSv1.3:TLS_AES_256_GCM_SHA384:256",
            // A session the filter does not know is not reported.
            "report|0.7|1.0|smtp-in|link-auth|00000000000000ff|pass|mallory",
        ] {
            #expect(try line.handle(line: Array(text.utf8)).isEmpty)
        }
        #expect(recorder.auth == ["161:bob:pass", "161:odd|name:fail", "161:alice:pass", "161:we|ird:error"])
        #expect(recorder.tls == ["161:TLSv1.3:TLS_AES_256_GCM_SHA384:256"])
    }
}
