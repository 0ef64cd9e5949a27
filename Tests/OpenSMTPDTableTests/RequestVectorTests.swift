import OpenSMTPD
import SMTPDTestDouble
import Testing

/// The requests as the fact sheet lays them out, byte for byte: the double builds them,
/// the library decodes them to the same values and encodes them back to the same bytes.
@Suite("Table request vectors")
struct RequestVectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let type: UInt32
        let payload: [UInt8]
        let message: DaemonTableMessage
        var testDescription: String { name }
    }

    static let openName: [UInt8] = Array("aliases".utf8) + [UInt8](repeating: 0, count: 2048 - 7)

    static let vectors: [Vector] = [
        Vector(
            name: "OPEN", type: 2, payload: TableWire.openPayload(name: "aliases"),
            message: .open(version: 2, name: "aliases")),
        Vector(name: "UPDATE", type: 4, payload: [], message: .update),
        Vector(name: "CLOSE", type: 3, payload: [], message: .close),
        Vector(
            name: "CHECK without params", type: 5,
            payload: TableWire.keyedPayload(service: TableWire.Service.domain.rawValue, key: "example.org"),
            message: .check(service: .domain, params: [:], key: "example.org")),
        Vector(
            name: "LOOKUP with params", type: 6,
            payload: TableWire.keyedPayload(
                service: TableWire.Service.alias.rawValue,
                params: [("sender", "a@example.net"), ("tag", "")], key: "root"),
            message: .lookup(service: .alias, params: ["sender": "a@example.net", "tag": ""], key: "root")),
        Vector(
            name: "FETCH", type: 7,
            payload: TableWire.fetchPayload(service: TableWire.Service.source.rawValue),
            message: .fetch(service: .source, params: [:])),
    ]

    @Test("the double writes the fact sheet's layout")
    func doubleLayout() {
        #expect(TableWire.openPayload(name: "aliases") == [0x02, 0x00, 0x00, 0x00] + Self.openName)
        #expect(TableWire.openPayload(name: "aliases").count == 2052)
        // int service 0x001, size_t 1, "sender\0a@example.net\0", key "root\0".
        #expect(
            TableWire.keyedPayload(service: 1, params: [("sender", "a@b")], key: "root")
                == [0x01, 0, 0, 0] + [0x01, 0, 0, 0, 0, 0, 0, 0]
                + Array("sender".utf8) + [0] + Array("a@b".utf8) + [0] + Array("root".utf8) + [0])
        // int service 0x020, size_t 0.
        #expect(TableWire.fetchPayload(service: 0x20) == [0x20, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("the library decodes and re-encodes every request type", arguments: vectors)
    func roundTrip(_ vector: Vector) throws {
        let frame = IMSGFrame(type: vector.type, payload: vector.payload)
        #expect(try DaemonTableMessage(frame: frame) == vector.message)
        let encoded = vector.message.frame()
        #expect(encoded.type == vector.type)
        #expect(encoded.payload == vector.payload)
    }

    @Test("replies are PROC_TABLE_OK frames in the daemon's layout")
    func replyLayout() throws {
        #expect(try TableReply.opened.frame().encoded() == [0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try TableReply.result(.found).frame().encoded() == [0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0])
        #expect(try TableReply.result(.notFound).frame().payload == [0, 0, 0, 0])
        #expect(try TableReply.result(.temporaryFailure).frame().payload == [0xff, 0xff, 0xff, 0xff])
        #expect(
            try TableReply.value("root").frame().encoded()
                == [0, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0] + Array("root".utf8) + [0])
        let longest = String(repeating: "x", count: TableReply.maximumValueLength)
        #expect(try TableReply.value(longest).frame().encoded().count == 16384)
        #expect(throws: ProtocolError.frameTooLong(length: 16385, maximum: 16384)) {
            try TableReply.value(longest + "x").frame()
        }
    }

    @Test("duplicate params keep the last value, as dict_set does")
    func duplicateParams() throws {
        let payload = TableWire.keyedPayload(service: 1, params: [("k", "1"), ("k", "2")], key: "x")
        let message = try DaemonTableMessage(frame: IMSGFrame(type: 5, payload: payload))
        #expect(message == .check(service: .alias, params: ["k": "2"], key: "x"))
    }
}
