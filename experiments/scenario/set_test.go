package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestApplySet(t *testing.T) {
	const seq = "s:\n  - {c: once}\n  - {c: once}\n"
	const named = "s:\n  - {name: a, c: once}\n  - {name: b, c: once}\n"
	tests := []struct {
		name, src, set string
		want           string // YAML after the set, or the error
	}{
		{"replace a scalar", "a: 1\nb: 2\n", "a=5", "a: 5\nb: 2\n"},
		{"nested key", "p:\n  r:\n    m: 1\n", "p.r.m=7", "p:\n  r:\n    m: 7\n"},
		{"create missing mappings", "a: 1\n", "x.y.z=3000/s", "a: 1\nx:\n  y:\n    z: 3000/s\n"},
		{"list element field", seq, "s[1].c=per_item", "s:\n  - {c: once}\n  - {c: per_item}\n"},
		{"flow list value", "a: 1\n", "t=[1,2]", "a: 1\nt: [1, 2]\n"},
		{"flow mapping value", "a: 1\n", "m={kind: lognormal, median: 300ms}", "a: 1\nm: {kind: lognormal, median: 300ms}\n"},
		{"compact distribution", "a: 1\n", "d=lognormal(median=300ms, p99=2s)", "a: 1\nd: lognormal(median=300ms, p99=2s)\n"},
		{"block-looking text stays a string", "a: 1\n", "a=x: y", "a: 'x: y'\n"},
		{"empty value is null", "a: 1\n", "a=", "a:\n"},
		{"key under a null", "retry:\n", "retry.max=3", "retry:\n  max: 3\n"},
		{"through an alias copies it", "a: &x {t: 1}\nb: *x\n", "b.t=2", "a: &x {t: 1}\nb: {t: 2}\n"},
		{"spaces around the path", "a: 1\n", " a =2", "a: 2\n"},

		{"no =", "a: 1\n", "novalue", "--set novalue: expected path=value"},
		{"empty path", "a: 1\n", "=5", "--set =5: empty path before ="},
		{"empty key", "a: 1\n", "a..b=1", `--set a..b=1: path "a..b" has an empty key`},
		{"trailing dot", "a: 1\n", "a.=1", `--set a.=1: path "a." ends with a dot`},
		{"bad index", seq, "s[1x].c=1", `--set s[1x].c=1: path "s[1x].c": index [1x] is not a non-negative whole number`},
		{"element by name", named, "s[b].c=per_item", "s:\n  - {name: a, c: once}\n  - {name: b, c: per_item}\n"},
		{"element by name through an alias", "x: &e {name: a, c: once}\ns:\n  - *e\n", "s[a].c=2", "x: &e {name: a, c: once}\ns:\n  - {name: a, c: 2}\n"},
		{"element by name, then an index", "s:\n  - {name: a, l: [1, 2]}\n", "s[a].l[1]=5", "s:\n  - {name: a, l: [1, 5]}\n"},
		{"unknown name, a near one", named, "s[bb].c=1", `--set s[bb].c=1: s has no element named "bb" (did you mean "b"?); its names: a, b`},
		{"unknown name", named, "s[zzz].c=1", `--set s[zzz].c=1: s has no element named "zzz"; its names: a, b`},
		{"name in a list without names", seq, "s[x].c=1", `--set s[x].c=1: s has no element named "x": its elements have no name field; give an index [0] to [1]`},
		{"name in an empty list", "s: []\n", "s[x].c=1", `--set s[x].c=1: s has no element named "x": it is empty`},
		{"name in a missing list", "a: 1\n", "x[y]=1", "--set x[y]=1: x does not exist, so element [y] cannot be set"},
		{"name with a blank", named, "s[a b].c=1", `--set s[a b].c=1: path "s[a b].c": [a b] is neither an index nor a name (a name has no blanks, brackets or '=')`},
		{"negative index", seq, "s[-1]=1", `--set s[-1]=1: path "s[-1]": index [-1] is not a non-negative whole number`},
		{"unclosed index", seq, "s[1=1", `--set s[1=1: path "s[1": missing ] after [`},
		{"starts with index", seq, "[0]=1", `--set [0]=1: path "[0]" starts with an index; it must start with a key`},
		{"key under a scalar", "a: 1\n", "a.b=2", `--set a.b=2: cannot set key "b" under a, which is number 1`},
		{"index out of range", seq, "s[2].c=x", "--set s[2].c=x: index 2 is out of range: s has 2 elements"},
		{"index into a mapping", "a: {b: 1}\n", "a[0]=1", "--set a[0]=1: cannot index a, which is a mapping, not a list"},
		{"index into a missing list", "a: 1\n", "x[0]=1", "--set x[0]=1: x does not exist, so index [0] cannot be set"},
		{"invalid flow value", "a: 1\n", "a=[1,", `--set a=[1,: invalid value "[1,": did not find expected node content (quote it for a plain string)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := ParseNode("t.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if err := ApplySet(root, tt.set); err != nil {
				got = err.Error()
			} else {
				out, err := yaml.Marshal(root)
				if err != nil {
					t.Fatal(err)
				}
				got = strings.ReplaceAll(string(out), "    ", "  ") // yaml.Marshal indents by 4
			}
			if got != tt.want {
				t.Errorf("ApplySet(%q) on\n%s\ngot:\n%s\nwant:\n%s", tt.set, tt.src, got, tt.want)
			}
		})
	}
}

func TestLoadWithSets(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "before.yaml")
	src := "name: before\nhttp_timeout: 10\npolicies:\n  payment:\n    retry:\n      max_attempts: 2\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s := defaultScenario()
	err := Load(path, &s, []string{
		"policies.payment.retry.max_attempts=0",
		"traffic.peak_rate=fast",
		"traffic.peak_rate.x=1", // after the line above, peak_rate is a scalar
		"traffic.cohorts.vip.share=5%",
	}, testOpts...)
	want := strings.Join([]string{
		path + ":2: http_timeout: a duration needs a unit, e.g. 10ms or 10s (a bare number is ambiguous)",
		"--set: traffic.peak_rate: expected a number, a rate like 2000/s or a percentage like 5%, got string \"fast\"",
		"--set: policies.payment.retry.max_attempts: must be >= 1, got 0",
		`--set traffic.peak_rate.x=1: cannot set key "x" under traffic.peak_rate, which is string "fast"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
	if c := s.Traffic.Cohorts["vip"]; c.Share != 0.05 {
		t.Errorf("vip share = %v, want 0.05 from --set", c.Share)
	}

	s = defaultScenario()
	if err := Load(path, &s, []string{"http_timeout=1s", "policies.payment.retry.max_attempts=5"}, testOpts...); err != nil {
		t.Fatal(err)
	}
	if s.Name != "before" || s.Policies["payment"].Retry.MaxAttempts != 5 {
		t.Errorf("name %q, max_attempts %d; want before, 5", s.Name, s.Policies["payment"].Retry.MaxAttempts)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	var s Scenario
	err := Load(path, &s, nil)
	if err == nil || err.Error() != path+": cannot read the scenario file: no such file" {
		t.Errorf("err = %v", err)
	}
}
