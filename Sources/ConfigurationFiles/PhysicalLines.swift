/// The physical lines of a file's text, as characters, without their line endings.
///
/// Splits at every LF, also where it follows a CR (Swift makes `"\r\n"` one `Character`,
/// so splitting characters at `"\n"` would miss CRLF line ends), and drops the CR of a CRLF.
public enum PhysicalLines {
    /// The lines of `text`, without `\n` or `\r\n`.
    public static func split(_ text: String) -> [[Character]] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { scalars in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            if view.last == "\r" { view.removeLast() }
            return Array(String(view))
        }
    }
}
