package experiments

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// The fields each fix group of the case study may change, one by one.
// A path ending in a policy block (".retry", ".breaker", ...) covers the
// whole block, which one scenario has and the other has not.
var fixFields = map[string][]string{
	"A": { // timeouts, retry discipline, breakers, isolation
		"flow.gateway_policy.timeout",
		"flow.gateway_policy.retry",
		"flow.gateway_policy.propagate_deadline",
		"flow.budget",
		"flow.steps[1].policy.timeout",
		"flow.steps[1].policy.propagate_deadline",
		"flow.steps[1].policy.bulkhead",
		"flow.steps[2].policy.timeout",
		"flow.steps[2].policy.retry",
		"flow.steps[2].policy.propagate_deadline",
		"flow.steps[4].policy.retry",
		"flow.steps[4].policy.propagate_deadline",
		"flow.steps[4].policy.bulkhead",
		"payments.client.retry.max_attempts",
		"payments.client.retry.backoff.kind",
		"payments.client.retry.backoff.base",
		"payments.client.retry.backoff.jitter",
		"payments.client.retry.retry_on",
		"payments.client.token_bucket",
		"payments.client.breaker",
		"payments.client.propagate_deadline",
		"payments.fallback",
		"payments.fallback_on",
		"services[1].drop_expired",
	},
	"B": { // inventory
		"inventory.transaction",
		"inventory.hold_until",
		"inventory.idempotency",
	},
	"C": { // cache and pricing
		"cache.invalidation",
		"cache.coalescing",
		"cache.ttl_jitter",
		"cache.x_fetch_beta",
		"cache.prewarm",
		"pricing.rule_lookup",
	},
}

// paymentPath are group A's fields on the payment path: the
// payment-slowdown pair shares everything else (both have the fixed
// pricing and inventory steps and checkout-api dropping expired work).
func paymentPath(f string) bool {
	return !strings.HasPrefix(f, "flow.steps[1].") && !strings.HasPrefix(f, "flow.steps[2].") && f != "services[1].drop_expired"
}

// Run-level fields that name the scenario rather than the system.
var runFields = []string{"name", "description"}

// leafDiff lists the leaf field paths whose values differ between a and b:
// scalars, distributions (by their compact form) and lists of scalars are
// leaves; structs and lists of structs are walked; a pointer present on one
// side only is reported at its own path.
func leafDiff(path string, a, b reflect.Value, out *[]string) {
	if a.Kind() == reflect.Interface || a.Kind() == reflect.Pointer {
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, path)
			}
			return
		}
		if d, ok := a.Interface().(dist.Dist); ok {
			if d.String() != b.Interface().(dist.Dist).String() {
				*out = append(*out, path)
			}
			return
		}
		leafDiff(path, a.Elem(), b.Elem(), out)
		return
	}
	switch a.Kind() {
	case reflect.Struct:
		fa, fb := scenario.Fields(a), scenario.Fields(b)
		for i := range fa {
			p := fa[i].Key
			if path != "" {
				p = path + "." + p
			}
			leafDiff(p, fa[i].Value, fb[i].Value, out)
		}
	case reflect.Slice:
		elem := a.Type().Elem()
		if elem.Kind() == reflect.Struct && elem != reflect.TypeFor[time.Duration]() {
			if a.Len() != b.Len() {
				*out = append(*out, path+" (length)")
				return
			}
			for i := 0; i < a.Len(); i++ {
				leafDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), out)
			}
			return
		}
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, path)
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, path)
		}
	}
}

// Before and after share one infrastructure: every leaf field that differs
// is a field of a named fix group, and every listed fix field differs (a
// listed fix that changes nothing would be an artefact). The
// payment-slowdown pair differs only in group A's payment-path fields.
func TestBeforeAfterDifferOnlyInFixes(t *testing.T) {
	pairs := []struct {
		before, after string
		groups        []string
		keep          func(string) bool
	}{
		{"flash-sale-before", "flash-sale-after", []string{"A", "B", "C"}, func(string) bool { return true }},
		{"payment-slowdown-before", "payment-slowdown-after", []string{"A"}, paymentPath},
	}
	for _, p := range pairs {
		t.Run(p.before, func(t *testing.T) {
			b, err := LoadScenario(p.before, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, err := LoadScenario(p.after, nil)
			if err != nil {
				t.Fatal(err)
			}
			var diff []string
			leafDiff("", reflect.ValueOf(b).Elem(), reflect.ValueOf(a).Elem(), &diff)
			allowed := map[string]string{}
			for _, f := range runFields {
				allowed[f] = "run"
			}
			for _, g := range p.groups {
				for _, f := range fixFields[g] {
					if p.keep(f) {
						allowed[f] = g
					}
				}
			}
			seen := map[string]bool{}
			for _, d := range diff {
				if _, ok := allowed[d]; !ok {
					t.Errorf("%s and %s differ in %s, which is in no fix group", p.before, p.after, d)
				}
				seen[d] = true
			}
			var unchanged []string
			for f, g := range allowed {
				if g != "run" && !seen[f] {
					unchanged = append(unchanged, g+": "+f)
				}
			}
			sort.Strings(unchanged)
			if len(unchanged) > 0 {
				t.Errorf("listed fix fields equal in %s and %s (a fix that changes nothing):\n  %s", p.before, p.after, strings.Join(unchanged, "\n  "))
			}
		})
	}
}

// The walk itself: a changed leaf, a pointer on one side, a distribution
// and a list element are each reported at their path, and equal values are
// not.
func TestLeafDiffFindsEachKind(t *testing.T) {
	b, err := LoadScenario("flash-sale-before", nil)
	if err != nil {
		t.Fatal(err)
	}
	sets := []string{"inventory.lock_timeout=3s", "flow.steps[3].policy.breaker.open_duration=5s",
		"database.statement=lognormal(median=2ms, p99=10ms)", "traffic.cohorts[2].weight=16"}
	a, err := LoadScenario("flash-sale-before", sets)
	if err != nil {
		t.Fatal(err)
	}
	var diff []string
	leafDiff("", reflect.ValueOf(b).Elem(), reflect.ValueOf(a).Elem(), &diff)
	want := []string{"database.statement", "flow.steps[3].policy.breaker", "inventory.lock_timeout", "traffic.cohorts[2].weight"}
	sort.Strings(diff)
	if fmt.Sprint(diff) != fmt.Sprint(want) {
		t.Errorf("diff %v, want %v", diff, want)
	}
}
