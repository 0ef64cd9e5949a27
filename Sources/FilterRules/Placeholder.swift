import CPCRE2
/// Placeholder until the rules engine lands.
enum FilterRulesPlaceholder {}
