package scenario

import (
	"reflect"
	"strings"
	"unicode"
)

// field is one decodable struct field: its YAML key and how to reach it.
type field struct {
	name  string
	index []int // for reflect.Value.FieldByIndex, through inlined embedded structs
	typ   reflect.Type
	doc   string // the `doc:"..."` tag
}

// maxInlineDepth bounds embedding, which could otherwise recurse through
// pointer types that embed each other.
const maxInlineDepth = 8

// structFields lists the fields of struct type t in declaration order, with
// the fields of embedded structs inlined where they are declared. When two
// fields share a key the shallower one wins (as in encoding/json), and among
// equals the first declared.
func structFields(t reflect.Type) []field {
	type cand struct {
		f     field
		depth int
	}
	var all []cand
	var walk func(t reflect.Type, prefix []int, depth int)
	walk = func(t reflect.Type, prefix []int, depth int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" && opts == "" {
				continue
			}
			index := append(append([]int(nil), prefix...), i)
			ft := sf.Type
			inline := strings.Contains(","+opts+",", ",inline,") || (sf.Anonymous && name == "")
			if inline {
				st := ft
				if st.Kind() == reflect.Pointer {
					if !sf.IsExported() {
						continue // cannot allocate through an unexported pointer
					}
					st = st.Elem()
				}
				if st.Kind() == reflect.Struct && depth < maxInlineDepth {
					walk(st, index, depth+1)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = SnakeCase(sf.Name)
			}
			all = append(all, cand{field{name: name, index: index, typ: ft, doc: sf.Tag.Get("doc")}, depth})
		}
	}
	walk(t, nil, 0)

	best := make(map[string]int, len(all)) // name -> index in all of the winner
	for i, c := range all {
		if j, ok := best[c.f.name]; !ok || c.depth < all[j].depth {
			best[c.f.name] = i
		}
	}
	out := make([]field, 0, len(best))
	for i, c := range all {
		if best[c.f.name] == i {
			out = append(out, c.f)
		}
	}
	return out
}

// SnakeCase converts a Go identifier to the snake_case key used in scenario
// files: MaxAttempts -> max_attempts, P99 -> p99, HTTPTimeout -> http_timeout,
// TTLJitter -> ttl_jitter, CPUs -> cpus. A word starts at an upper-case
// letter that follows a lower-case letter or a digit, or that ends an acronym
// and is followed by at least two lower-case letters (so the plural "s" of an
// acronym stays attached).
func SnakeCase(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			split := unicode.IsLower(prev) || unicode.IsDigit(prev)
			if !split && unicode.IsUpper(prev) {
				n := 0
				for j := i + 1; j < len(r) && unicode.IsLower(r[j]); j++ {
					n++
				}
				split = n >= 2
			}
			if split {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// EditDistance is the Levenshtein distance between a and b in runes
// (insertions, deletions and substitutions each cost 1), computed with two
// rows. The metric registry uses it for its did-you-mean too.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to key by edit distance, or "" when
// none is near enough to be a plausible typo: at most one edit per four
// characters of the key (at least one). Ties go to the first candidate.
func closest(key string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := EditDistance(key, c)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(1, len(key)/4) {
		return ""
	}
	return best
}
