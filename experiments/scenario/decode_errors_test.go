package scenario

import (
	"errors"
	"strings"
	"testing"
)

// decodeErrs decodes src into fresh defaults and returns the error lines.
func decodeErrs(t *testing.T, src string) []string {
	t.Helper()
	s := defaultScenario()
	err := Decode("s.yaml", []byte(src), &s, testOpts...)
	if err == nil {
		return nil
	}
	var l ErrorList
	if !errors.As(err, &l) {
		t.Fatalf("error is %T, want ErrorList: %v", err, err)
	}
	return strings.Split(err.Error(), "\n")
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown field with suggestion", "traffic:\n  peak_rat: 5\n",
			[]string{`s.yaml:2: traffic.peak_rat: unknown field; did you mean "peak_rate"? (valid fields: peak_rate, duration, cohorts)`}},
		{"unknown field without suggestion", "colour: red\n",
			[]string{`s.yaml:1: colour: unknown field (valid fields: name, seed, description, traffic, services, flow, policies, tags, http_timeout)`}},
		{"mapping where a number is expected", "traffic:\n  peak_rate: {a: 1}\n",
			[]string{`s.yaml:2: traffic.peak_rate: expected a number (or a rate like 2000/s, or a percentage like 5%), got a mapping`}},
		{"list where a mapping is expected", "traffic: [1, 2]\n",
			[]string{`s.yaml:1: traffic: expected a mapping of fields, got a list`}},
		{"scalar where a list is expected", "tags: fast\n",
			[]string{`s.yaml:1: tags: expected a list, got string "fast" (write a list as [a, b], or one "- item" per line)`}},
		{"duplicate key", "name: a\nseed: 2\nname: b\n",
			[]string{`s.yaml:3: name: duplicate key (first set at line 1)`}},
		{"fraction into int", "services:\n  db:\n    workers: 2.5\n",
			[]string{`s.yaml:3: services.db.workers: must be a whole number, got 2.5`}},
		{"whole float into int is fine", "services:\n  db:\n    workers: 2.0\n", nil},
		{"overflow uint8", "services:\n  db:\n    shards: 300\n",
			[]string{`s.yaml:3: services.db.shards: out of range for uint8, got 300`}},
		{"negative uint", "seed: -1\n",
			[]string{`s.yaml:1: seed: must not be negative, got -1`}},
		{"int64 overflow", "services:\n  db:\n    workers: 99999999999999999999\n",
			[]string{`s.yaml:3: services.db.workers: out of range for a 64-bit integer, got 99999999999999999999`}},
		{"string into int", "services:\n  db:\n    workers: many\n",
			[]string{`s.yaml:3: services.db.workers: expected a whole number, got string "many"`}},
		{"bare number duration", "http_timeout: 300\n",
			[]string{`s.yaml:1: http_timeout: a duration needs a unit, e.g. 300ms or 300s (a bare number is ambiguous)`}},
		{"negative duration", "traffic:\n  duration: -5m\n",
			[]string{`s.yaml:2: traffic.duration: must not be negative, got -5m`}},
		{"invalid duration", "http_timeout: 5 parsecs\n",
			[]string{`s.yaml:1: http_timeout: invalid duration "5 parsecs": want a number with a unit (ns, us, ms, s, m, h), e.g. 250ms or 1m30s`}},
		{"bad rate unit", "traffic:\n  peak_rate: 5/day\n",
			[]string{`s.yaml:2: traffic.peak_rate: unknown rate unit "day" in "5/day" (use /s, /min or /h)`}},
		{"bad number before unit", "traffic:\n  peak_rate: lots/s\n",
			[]string{`s.yaml:2: traffic.peak_rate: invalid number "lots" before "/s"`}},
		{"not a number", "traffic:\n  peak_rate: fast\n",
			[]string{`s.yaml:2: traffic.peak_rate: expected a number, a rate like 2000/s or a percentage like 5%, got string "fast"`}},
		{"infinite number", "traffic:\n  peak_rate: .inf\n",
			[]string{`s.yaml:2: traffic.peak_rate: must be a finite number, got .inf`}},
		{"bool", "policies:\n  db:\n    timeout: true\n",
			[]string{`s.yaml:3: policies.db.timeout: expected a duration like 250ms, got true`}},
		{"null scalar", "name:\n",
			[]string{`s.yaml:1: name: missing value: expected a string (remove the key to keep the default)`}},
		{"hook error", "services:\n  api:\n    workers: 2\n    latency: lognormal(median=2s, p99=300ms)\n",
			[]string{`s.yaml:4: services.api.latency: p99 0.3s is below the median 2s`}},
		{"hook error in mapping form", "services:\n  api:\n    workers: 2\n    latency: {median: 2s}\n",
			[]string{`s.yaml:4: services.api.latency: the mapping form needs a kind key, e.g. {kind: lognormal, median: 300ms, p99: 2s}`}},
		{"merge key with a scalar", "traffic:\n  <<: 5\n",
			[]string{`s.yaml:2: traffic: a merge key (<<) needs a mapping or a list of mappings, got number 5`}},
		{"no far-fetched suggestion", "base: 1\n",
			[]string{`s.yaml:1: base: unknown field (valid fields: name, seed, description, traffic, services, flow, policies, tags, http_timeout)`}},
		{"unknown field brought in by a merge key", "base: &b {peak_rat: 1}\ntraffic:\n  <<: *b\n",
			[]string{
				`s.yaml:1: base: unknown field (valid fields: name, seed, description, traffic, services, flow, policies, tags, http_timeout)`,
				`s.yaml:1: traffic.peak_rat: unknown field; did you mean "peak_rate"? (valid fields: peak_rate, duration, cohorts)`,
			}},
		{"key that is not a scalar", "traffic:\n  [a]: 1\n",
			[]string{`s.yaml:2: traffic: a key must be a plain name, got a list`}},
		{"validate: field error at its line", "policies:\n  payment:\n    retry:\n      max_attempts: 0\n",
			[]string{`s.yaml:4: policies.payment.retry.max_attempts: must be >= 1, got 0`}},
		{"validate: default field reported at the struct", "policies:\n  payment:\n    retry:\n      backoff: 1s\n",
			[]string{`s.yaml:3: policies.payment.retry.max_attempts: must be >= 1, got 0 (default)`}},
		{"validate: plain error at the struct line", "policies:\n  db:\n    breaker:\n      failure_ratio: 50%\n",
			[]string{`s.yaml:3: policies.db.breaker: open_for must be set when failure_ratio > 0`}},
		{"validate: joined errors, cross reference and parent path",
			"services:\n  api:\n    workers: 0\nflow:\n  steps:\n    - service: api\n    - service: nope\npolicies:\n  api:\n    retry: {max_attempts: 0, jitter: 150%}\n",
			[]string{
				`s.yaml:3: services.api.workers: must be >= 1, got 0`,
				`s.yaml:7: flow.steps[1].service: unknown service "nope"`,
				`s.yaml:10: policies.api.retry.max_attempts: must be >= 1, got 0`,
				`s.yaml:10: policies.api.retry.jitter: must be a fraction in [0, 1], got 1.5`,
			}},
		{"validate errors dropped for fields that failed to decode", "policies:\n  p:\n    retry:\n      max_attempts: x\n",
			[]string{`s.yaml:4: policies.p.retry.max_attempts: expected a whole number, got string "x"`}},
		{"several errors in line order",
			"seed: 1.5\ntraffic:\n  peak_rate: -3/s\n  duration: 10\n  cohorts:\n    vip: {share: 5%, thinks: 1s}\nname: [x]\nname: y\n",
			[]string{
				`s.yaml:1: seed: must be a whole number, got 1.5`,
				`s.yaml:3: traffic.peak_rate: must be >= 0, got -3`,
				`s.yaml:4: traffic.duration: a duration needs a unit, e.g. 10ms or 10s (a bare number is ambiguous)`,
				`s.yaml:6: traffic.cohorts.vip.thinks: unknown field; did you mean "think"? (valid fields: share, think)`,
				`s.yaml:7: name: expected a string, got a list`,
				`s.yaml:8: name: duplicate key (first set at line 7)`,
			}},
		{"empty file", "", []string{`s.yaml:1: the file is empty; a scenario is a YAML mapping of fields (see ` + "`checkoutsim scenarios show`)"}},
		{"only comments", "# nothing\n", []string{`s.yaml:1: the file is empty; a scenario is a YAML mapping of fields (see ` + "`checkoutsim scenarios show`)"}},
		{"syntax error", "name: a\ntraffic:\n  peak_rate: 1\n bad: 2\n",
			[]string{`s.yaml:4: syntax: did not find expected key`}},
		{"scanner syntax error", "name: a\ntraffic:\n  peak_rate: 1\n  bad: 2: 3\n",
			[]string{`s.yaml:4: syntax: mapping values are not allowed in this context`}},
		{"parser error on line 1 (no line from go-yaml)", "tags: [a",
			[]string{`s.yaml:1: syntax: did not find expected ',' or ']'`}},
		{"unclosed list reported where the file ends", "tags: [a\n\n",
			[]string{`s.yaml:2: syntax: did not find expected ',' or ']'`}},
		{"syntax error in a flow list", "name: a\ntags: [a, b\n",
			[]string{`s.yaml:2: syntax: did not find expected ',' or ']'`}},
		{"control character", "name: a\nseed: 1\x01\n",
			[]string{`s.yaml:2: syntax: control characters are not allowed`}},
		{"syntax error without a line from go-yaml", "name: a\nseed: *nope\n",
			[]string{`s.yaml:2: syntax: unknown anchor 'nope' referenced`}},
		{"not a mapping", "- a\n- b\n",
			[]string{`s.yaml:1: a scenario must be a mapping of fields (key: value), got a list`}},
		{"two documents", "name: a\n---\nname: b\n",
			[]string{`s.yaml:2: a second YAML document (after ---); a scenario file holds exactly one document`}},
		{"trailing document marker is fine", "name: a\n---\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeErrs(t, tt.src)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("input:\n%s\ngot:\n%s\nwant:\n%s", tt.src, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
