package checkout

import (
	"strings"
	"testing"
)

// Cross-references are checked with field paths a loader can map to lines.
func TestConfigValidateCrossReferences(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"missing step service", func(c *Config) { c.Flow.Steps[1].Service = "nope" }, "flow.steps[1].service"},
		{"missing orchestrator", func(c *Config) { c.Flow.Orchestrator = "" }, "flow.orchestrator"},
		{"per-item inventory", func(c *Config) { c.Flow.Steps[2].Calls = "per_item" }, "flow.steps[2].calls"},
		{"hold_until unknown step", func(c *Config) { c.Inventory.Transaction = "long"; c.Inventory.HoldUntil = "nope" }, "inventory.hold_until"},
		{"duplicate step", func(c *Config) { c.Flow.Steps[1].Name = "cart" }, "flow.steps[1].name"},
		{"warmup beyond duration", func(c *Config) { c.Warmup = c.Duration }, "warmup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.field+":") {
				t.Fatalf("want an error on %s, got %v", tc.field, err)
			}
		})
	}
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default() is invalid: %v", err)
	}
}
