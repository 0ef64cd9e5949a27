#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Converts text in one charset to UTF-8 as it streams, with the platform's iconv (glibc's
/// gconv modules know every charset mail uses). Bytes invalid in the charset become U+FFFD;
/// a multibyte character cut at the end of one chunk is carried into the next.
final class IconvConverter {
    private let descriptor: iconv_t
    /// The start of a character the last chunk ended in.
    private var carry: [UInt8] = []
    /// Where iconv writes, reused.
    private var scratch = [UInt8](repeating: 0, count: 4096)

    /// The most bytes carried from one chunk to the next (longer than any charset's character).
    private static let maximumCarry = 16

    /// A converter from `charset` (a MIME charset name, as iconv spells it), nil when iconv
    /// does not know it.
    init?(charset: String) {
        let descriptor = iconv_open("UTF-8", charset)
        guard let descriptor, descriptor != iconv_t(bitPattern: -1) else { return nil }
        self.descriptor = descriptor
    }

    deinit { iconv_close(descriptor) }

    /// Appends `input`, converted, to `output`; at the `final` chunk a cut character is
    /// replaced and the charset's shift state ended. False when something was replaced.
    func convert(_ input: [UInt8], final: Bool, into output: inout [UInt8]) -> Bool {
        var bytes = input
        if !carry.isEmpty {
            bytes = carry + input
            carry.removeAll(keepingCapacity: true)
        }
        var clean = true
        var consumed = 0
        let total = bytes.count
        bytes.withUnsafeMutableBufferPointer { inputBuffer in
            scratch.withUnsafeMutableBufferPointer { outputBuffer in
                guard let inputBase = inputBuffer.baseAddress, let outputBase = outputBuffer.baseAddress else { return }
                let outputStart = UnsafeMutableRawPointer(outputBase).assumingMemoryBound(to: CChar.self)
                while consumed < total {
                    var inputPointer: UnsafeMutablePointer<CChar>? =
                        UnsafeMutableRawPointer(inputBase + consumed).assumingMemoryBound(to: CChar.self)
                    var inputLeft = total - consumed
                    var outputPointer: UnsafeMutablePointer<CChar>? = outputStart
                    var outputLeft = outputBuffer.count
                    let result = iconv(descriptor, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
                    let failure = errno
                    output.append(contentsOf: outputBuffer[0..<(outputBuffer.count - outputLeft)])
                    consumed = total - inputLeft
                    if result != -1 { break }
                    if failure == E2BIG { continue }
                    if failure == EINVAL && !final && total - consumed <= Self.maximumCarry {
                        carry.append(contentsOf: inputBuffer[consumed..<total])
                        consumed = total
                        break
                    }
                    // An invalid byte, or a character cut at the very end: the replacement
                    // character, and on after the byte.
                    output.append(contentsOf: UTF8Repair.replacement)
                    clean = false
                    consumed += 1
                }
                if final {
                    var outputPointer: UnsafeMutablePointer<CChar>? = outputStart
                    var outputLeft = outputBuffer.count
                    _ = iconv(descriptor, nil, nil, &outputPointer, &outputLeft)
                    output.append(contentsOf: outputBuffer[0..<(outputBuffer.count - outputLeft)])
                }
            }
        }
        return clean
    }
}
