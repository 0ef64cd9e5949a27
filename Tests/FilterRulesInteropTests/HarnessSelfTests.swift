import Foundation
import Testing
#if canImport(Glibc)
    import Glibc
#endif

extension FilterRulesInteropTests {
    /// The harness on its own, with `ThrowawayFilter` instead of filter-rules.
    @Suite("harness: smtpd, configuration, delivery and clean-up")
    struct HarnessSelfTests {
        /// What a run left behind, checked after `withRealSMTPD` returned.
        struct Traces {
            var pids: [pid_t] = []
            var directory = ""
            var port = 0

            init() {}

            /// The traces of a running server: smtpd, its process tree, its directory and port.
            init(of server: RealSMTPD) {
                pids = [server.pid] + ProcessTable.descendants(of: server.pid)
                directory = server.directory
                port = server.port
            }

            /// Fails the test for every trace of the run still present.
            func expectGone(sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(
                    pids.allSatisfy { !ProcessTable.isAlive($0) }, "still running: \(pids.filter(ProcessTable.isAlive))",
                    sourceLocation: sourceLocation)
                #expect(
                    RealSMTPD.keepsDirectories || !FileManager.default.fileExists(atPath: directory), "left behind: \(directory)",
                    sourceLocation: sourceLocation)
                #expect(!LoopbackNetwork.isListening(port: port), "port \(port) still listens", sourceLocation: sourceLocation)
            }
        }

        @Test("a throwaway filter's HELO reject reaches the client; a message is delivered byte for byte; nothing is left afterwards")
        func throwawayFilterRun() throws {
            var traces = Traces()
            try withRealSMTPD(filter: .throwaway) { server in
                traces = Traces(of: server)
                let refused = try server.session(SMTPSessionPlan(name: "bad.example"))
                #expect(refused.reply(at: "connect")?.code == 220, "\(refused)")
                #expect(refused.refusal?.stage == "ehlo" && refused.refusal?.code == 550, "\(refused)")
                #expect(refused.refusal?.text == "5.7.1 throwaway filter says no", "\(refused)")

                let message = InteropMessage.sample()
                let sent = try server.session(SMTPSessionPlan(greeting: "helo", message: message.bytes))
                #expect(sent.refusal == nil && sent.reply(at: "message")?.code == 250, "\(sent)\n\(server.logTail())")
                let delivered = try #require(server.waitForDelivery(containing: message.marker), "not delivered\n\(server.logTail())")
                let content = InteropMessage.withoutTraceHeaders(delivered)
                let intact = content == message.bytes
                #expect(intact, "\(content.firstDifference(from: message.bytes))")
            }
            traces.expectGone()
        }

        @Test("20 clients with sessions open at the same time all get through smtpd with the throwaway filter")
        func simultaneousClients() throws {
            try withRealSMTPD(filter: .throwaway) { server in
                let messages = (0..<20).map { _ in InteropMessage.sample(subject: "simultaneous") }
                let transcripts = try server.client.runConcurrently(messages.map { SMTPSessionPlan(message: $0.bytes) })
                for (index, transcript) in transcripts.enumerated() {
                    #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "client \(index): \(transcript)")
                }
                for message in messages {
                    #expect(server.waitForDelivery(containing: message.marker) != nil, "not delivered\n\(server.logTail())")
                }
            }
        }

        @Test("smtpd is stopped and its directory removed when the test body throws")
        func stopsOnError() throws {
            struct Planned: Error {}
            var traces = Traces()
            #expect(throws: Planned.self) {
                try withRealSMTPD(filter: .throwaway) { server in
                    traces = Traces(of: server)
                    #expect(server.isRunning && !server.filterPIDs.isEmpty)
                    throw Planned()
                }
            }
            #expect(traces.pids.count > 2, "smtpd's process tree: \(traces.pids)")
            traces.expectGone()
        }
    }
}
