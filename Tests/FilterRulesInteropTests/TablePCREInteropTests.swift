import Testing

extension FilterRulesInteropTests {
    /// table-pcre as Debian's smtpd 6.8 runs it (table API 2): virtual users and aliases
    /// backed by Postfix-style regex maps, `smtpctl update table` after editing a map.
    @Suite("table-pcre under Debian's smtpd 6.8")
    struct TablePCREInteropTests {
        static let users = """
            # virtual users of virtual.test
            /^(alice|bob)@virtual\\.test$/   interop-$1
            /^sales@virtual\\.test$/          interop-alice, interop-bob

            """
        static let aliases = """
            /^postmaster$/  interop-alice
            if /^t/
            /^team$/        interop-alice, interop-bob
            endif

            """

        static func plan(_ recipients: [String], _ message: InteropMessage) -> SMTPSessionPlan {
            SMTPSessionPlan(recipients: recipients, message: message.bytes)
        }

        @Test("virtual users and aliases from table-pcre deliver to the mapped users; unmapped recipients are refused")
        func deliveries() throws {
            try withTablePCRESMTPD(users: Self.users, aliases: Self.aliases) { server in
                let cases: [(recipient: String, users: [String])] = [
                    ("alice@virtual.test", ["interop-alice"]),
                    ("BOB@virtual.test", ["interop-bob"]),
                    ("sales@virtual.test", ["interop-alice", "interop-bob"]),
                    ("postmaster@local.test", ["interop-alice"]),
                    ("team@local.test", ["interop-alice", "interop-bob"]),
                ]
                for (recipient, users) in cases {
                    let message = InteropMessage.sample(subject: recipient)
                    let transcript = try server.session(Self.plan([recipient], message))
                    #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(recipient): \(transcript)\n\(server.logTail())")
                    #expect(server.deliveredUsers(containing: message.marker, count: users.count) == users, "\(recipient)\n\(server.logTail())")
                }
                // Not in the virtual map: smtpd refuses the virtual expansion.
                let unmapped = try server.session(Self.plan(["carol@virtual.test"], InteropMessage.sample()))
                #expect(unmapped.refusal?.stage == "rcpt" && unmapped.refusal?.code == 524, "\(unmapped)\n\(server.logTail())")
                // Not an alias, and no such user.
                let unknown = try server.session(Self.plan(["nosuch@local.test"], InteropMessage.sample()))
                #expect(unknown.refusal?.stage == "rcpt" && unknown.refusal?.code == 550, "\(unknown)\n\(server.logTail())")
                #expect(server.isRunning, "smtpd died\n\(server.logTail())")
            }
        }

        @Test("smtpctl update table after editing the map takes effect; a broken map is refused and the old one kept")
        func updateTable() throws {
            try withTablePCRESMTPD(users: Self.users, aliases: Self.aliases) { server in
                let before = try server.session(Self.plan(["carol@virtual.test"], InteropMessage.sample()))
                #expect(before.refusal?.code == 524, "\(before)\n\(server.logTail())")
                let tables = server.filterPIDs

                try server.replaceFile("users.pcre", with: Self.users + "/^carol@virtual\\.test$/   interop-bob\n")
                let update = try server.smtpctl(["update", "table", "users"])
                #expect(update.status == .exited(0) && update.output.contains("command succeeded"), "\(update)\n\(server.logTail())")
                let carol = InteropMessage.sample(subject: "carol")
                let added = try server.session(Self.plan(["carol@virtual.test"], carol))
                #expect(added.refusal == nil, "\(added)\n\(server.logTail())")
                #expect(server.deliveredUsers(containing: carol.marker, count: 1) == ["interop-bob"], "\(server.logTail())")

                try server.replaceFile("users.pcre", with: "/^(alice@virtual\\.test$/ interop-bob\n")
                let refused = try server.smtpctl(["update", "table", "users"])
                #expect(refused.status == .exited(1) && refused.output.contains("command failed"), "\(refused)\n\(server.logTail())")
                #expect(server.waitForLog("/users.pcre:1:24: regex error: missing closing parenthesis (PCRE2 at offset 22)"), "\(server.logTail())")
                #expect(server.log.contains("/users.pcre: 1 error(s), keeping the previous map (3 entries)"), "\(server.logTail())")
                let alice = InteropMessage.sample(subject: "alice")
                let kept = try server.session(Self.plan(["alice@virtual.test", "carol@virtual.test"], alice))
                #expect(kept.refusal == nil, "\(kept)\n\(server.logTail())")
                #expect(server.deliveredUsers(containing: alice.marker, count: 2) == ["interop-alice", "interop-bob"], "\(server.logTail())")
                #expect(server.filterPIDs == tables, "the users table was restarted or died")
                #expect(server.isRunning, "smtpd died\n\(server.logTail())")
            }
        }
    }
}
