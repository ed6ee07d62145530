// Package output holds what every result's three output formats share:
// the format names and the one switch that picks a writer (Write), human
// number formatting for tables (Sig, Human, HumanCI), aligned tables
// without trailing blanks (NewTable, Trimmed), indented JSON without HTML
// escaping and objects whose keys keep their order (WriteJSON, Object), and
// RFC 4180 CSV (WriteCSV).
//
// It imports nothing of ours: result types (run, compare, sweep, capacity,
// ablation) implement Writer and call these helpers.
package output
