/// The release of filter-rules and table-pcre, as `--version` prints it: the one place the
/// version is written (`scripts/build-deb` reads the Debian package's version from this line).
public let filterRulesVersion = "0.1.0"
