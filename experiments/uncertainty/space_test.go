package uncertainty

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// The built-ins' uncertain entries are valid dimensions.
func TestBuiltinUncertainInputs(t *testing.T) {
	for _, name := range []string{"flash-sale-before", "flash-sale-after"} {
		sc, err := experiments.LoadScenario(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		dims, err := Dimensions(sc, name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(dims) < 6 {
			t.Errorf("%s declares %d uncertain inputs, want at least 6", name, len(dims))
		}
		// Written payments.providers[0].load_latency: shown by the
		// provider's name on every tornado bar and column.
		var paths []string
		for _, d := range dims {
			paths = append(paths, d.Path)
		}
		if got := strings.Join(paths, " "); !strings.Contains(got, " payments.providers[psp-a].load_latency") || strings.Contains(got, "providers[0]") {
			t.Errorf("%s: paths %s, want payments.providers[psp-a].load_latency and no index", name, got)
		}
	}
}

// Each bad entry is reported with the file, the line of its entry and the
// field: a path that does not exist, a range outside the field's valid
// values, a range on a non-numeric field, a list, a malformed range, a
// missing reason, a path declared twice.
func TestBadUncertainInputs(t *testing.T) {
	cases := []struct {
		entry string
		want  string
	}{
		{`{path: inventory.lok_timeout, range: "1s..3s", why: x}`, `t.yaml:3: uncertain[0].path: inventory.lok_timeout: unknown field`},
		{`{path: traffic.sku_skew, range: "-1..1", why: x}`, `t.yaml:3: uncertain[0].range: end -1 is not a valid traffic.sku_skew`},
		{`{path: inventory.transaction, range: "1..3", why: x}`, `t.yaml:3: uncertain[0].path: inventory.transaction is not a numeric field`},
		{`{path: traffic.cart_size, range: "1..3", why: x}`, `t.yaml:3: uncertain[0].path: traffic.cart_size is not a numeric field`},
		{`{path: inventory.lock_timeout, range: "1s,2s", why: x}`, `t.yaml:3: uncertain[0].range: "1s,2s" is a list`},
		{`{path: inventory.lock_timeout, range: "1s..", why: x}`, `t.yaml:3: uncertain[0].range:`},
		{`{path: inventory.lock_timeout, range: "1s..2s"}`, `t.yaml:3: uncertain[0].why: say in one line why`},
		{"{path: \"flow.steps[9].policy.timeout\", range: \"1s..2s\", why: x}", `t.yaml:3: uncertain[0].path: `},
	}
	dir := t.TempDir()
	for _, c := range cases {
		file := filepath.Join(dir, "t.yaml")
		body := "name: t\nuncertain:\n  - " + c.entry + "\n"
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		sc, err := experiments.LoadScenario(file, nil)
		if err != nil {
			t.Fatalf("%s: load: %v", c.entry, err)
		}
		_, err = Dimensions(sc, file, nil)
		if err == nil {
			t.Errorf("%s: accepted", c.entry)
			continue
		}
		got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s:\n got %s\nwant %s...", c.entry, got, c.want)
		}
	}
	// A path declared twice.
	file := filepath.Join(dir, "t.yaml")
	body := "name: t\nuncertain:\n  - {path: traffic.sku_skew, range: \"0.6..1\", why: x}\n  - {path: traffic.sku_skew, range: \"0.7..1\", why: y}\n"
	os.WriteFile(file, []byte(body), 0o644)
	sc, err := experiments.LoadScenario(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Dimensions(sc, file, nil); err == nil || !strings.Contains(err.Error(), "t.yaml:4: uncertain[1].path: traffic.sku_skew is already declared uncertain by uncertain[0]") {
		t.Errorf("duplicate path: %v", err)
	}
}
