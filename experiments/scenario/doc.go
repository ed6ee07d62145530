// Package scenario decodes YAML scenario files into Go configuration structs
// that other packages define, strictly and with errors that name the file,
// the line and the field path:
//
//	before.yaml:42: policies.payment.retry.max_attempts: must be >= 1, got 0
//
// The decoder is reflective and generic. The caller passes a pointer to a
// struct already filled with defaults; only the fields present in the YAML are
// overwritten, so a partial scenario works. Nested structs are merged field by
// field, maps are merged entry by entry, slices are replaced whole.
//
// # Keys
//
// A field's key is its `yaml:"name"` tag if present ("-" skips the field),
// else the snake_case of the Go name: MaxAttempts -> max_attempts,
// P99 -> p99, HTTPTimeout -> http_timeout. Unexported fields are ignored and
// the fields of embedded structs are inlined. Keys in a map[string]T field are
// free-form; a Go map has no order, so anything that prints or iterates one
// must sort by key.
//
// # Values
//
//   - bool: true or false.
//   - integers: whole numbers only; fractions and overflow are errors.
//   - float32/float64: a number, or a string with a unit suffix converted to
//     the field's own unit. A rate "2000/s", "120/min" or "7200/h" becomes a
//     value per second (120/min = 2); a percentage "5%" becomes the fraction
//     0.05. So a rate field is always per second and a fraction field always
//     0..1, however the user wrote it.
//   - string: any scalar, kept as written.
//   - time.Duration and sim.Time: a Go duration string ("250ms", "1m30s",
//     "1.5s", "2h"). A bare number other than 0 is rejected because its unit
//     would be a guess; negative durations are rejected.
//   - slices, map[string]T, pointers and structs, recursively. A nil
//     pointer-to-struct that appears in the file gets a zero struct, or a
//     copy of the default registered with WithDefault; null sets a pointer,
//     slice or map to nil.
//   - any type implementing Unmarshaler, and any type with a hook registered
//     by WithTypeHook (used for distribution interfaces, which the caller
//     parses with the dist package). CompactFromMapping turns the mapping form
//     {kind: lognormal, median: 300ms} into the compact form
//     lognormal(median=300ms) for such hooks.
//
// YAML anchors, aliases and merge keys (<<: *base) work; explicit keys win
// over merged ones.
//
// # Errors
//
// Every error in a file is collected (decoding continues past an error) and
// returned at once as an ErrorList sorted by line then column. After decoding,
// every struct with a Validate() error method is validated, children first,
// and its errors are mapped back to lines (see DecodeNode). Values set with
// ApplySet (--set on the command line) have no line; their errors read
// "--set: path: message".
//
// # Nodes
//
// The YAML-node operations every caller shares live here, with one set of
// rules (node.go): FindKey/MapValue find a key as a YAML reader does (the
// last duplicate, merge keys skipped), SetMapValue and CopyNode copy deeply
// and within the decoder's depth bound, CopyPath copies a dotted path
// (with [*] for every list element) from one tree to another, and
// Fields/FieldByKey name a struct's fields as the decoder does (the
// shallower of two fields with one key wins).
//
// It imports sim only; experiments and its rooms import it.
package scenario
