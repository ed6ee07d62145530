package scenario

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestCopyPath(t *testing.T) {
	dst, _ := ParseNode("d", []byte("a: {x: 1, y: 2}\nl: [{p: 1, q: 1}, {p: 2, q: 2}]\nk: 5\n"))
	src, _ := ParseNode("s", []byte("a: {x: 9}\nl: [{p: 7}, {p: 8, q: 3}]\n"))
	for _, p := range []string{"a.x", "l[*].q", "k"} {
		if err := CopyPath(dst, src, p); err != nil {
			t.Fatal(err)
		}
	}
	// a.x copied, a.y kept; q taken from src (removed where src has none);
	// k removed because src does not set it (both then use the default).
	var got map[string]any
	if err := dst.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"a": map[string]any{"x": 9, "y": 2},
		"l": []any{map[string]any{"p": 1}, map[string]any{"p": 2, "q": 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after copying: %v, want %v", got, want)
	}
	if err := CopyPath(dst, src, "nope[*].x"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a list neither scenario has: %v", err)
	}
}

// A duplicated key is found, read and replaced as a YAML reader sees it:
// the last one.
func TestNodeKeysLastWins(t *testing.T) {
	m := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "a"}, {Kind: yaml.ScalarNode, Value: "1"},
		{Kind: yaml.ScalarNode, Value: "<<", Tag: "!!merge"}, {Kind: yaml.MappingNode},
		{Kind: yaml.ScalarNode, Value: "a"}, {Kind: yaml.ScalarNode, Value: "2"},
	}}
	if j := FindKey(m, "a"); j != 4 {
		t.Errorf("FindKey = %d, want 4 (the last a)", j)
	}
	if FindKey(m, "<<") != -1 {
		t.Error("a merge key counts as a key")
	}
	if v := MapValue(m, "a"); v == nil || v.Value != "2" {
		t.Errorf("MapValue = %v, want 2", v)
	}
	SetMapValue(m, "a", &yaml.Node{Kind: yaml.ScalarNode, Value: "3"})
	if m.Content[5].Value != "3" || m.Content[1].Value != "1" {
		t.Errorf("SetMapValue changed %q and %q, want only the last a", m.Content[1].Value, m.Content[5].Value)
	}
	SetMapValue(m, "b", &yaml.Node{Kind: yaml.ScalarNode, Value: "4"})
	SetMapValue(m, "a", nil)
	if len(m.Content) != 6 || MapValue(m, "b") == nil || MapValue(m, "a").Value != "1" {
		t.Errorf("after adding b and removing the last a: %d nodes, a = %v", len(m.Content), MapValue(m, "a"))
	}
}

// Fields resolves keys as the decoder does: the shallower of two fields
// with one key wins, and nothing is read through a nil embedded pointer.
func TestFieldsShallowerWins(t *testing.T) {
	type Inner struct {
		Name  string
		Depth int
	}
	type Ptr struct{ Hidden int }
	type Outer struct {
		Inner
		*Ptr
		Name string `yaml:"name"`
	}
	v := Outer{Inner: Inner{Name: "inner", Depth: 2}, Name: "outer"}
	var keys []string
	for _, f := range Fields(reflect.ValueOf(v)) {
		keys = append(keys, f.Key)
	}
	if got := strings.Join(keys, " "); got != "depth name" {
		t.Errorf("keys %q, want \"depth name\"", got)
	}
	if f, ok := FieldByKey(reflect.ValueOf(v), "name"); !ok || f.String() != "outer" {
		t.Errorf("name = %v, want the outer field", f)
	}
}

func TestNamedPath(t *testing.T) {
	type svc struct {
		Name      string
		Instances int
	}
	type step struct{ Name, Kind string }
	type cfg struct {
		Services []svc
		Flow     struct{ Steps []*step }
		Profile  []struct{ Rate float64 }
		Tags     map[string]int
	}
	v := &cfg{Services: []svc{{Name: "gateway"}, {Name: "checkout-api"}, {Name: "2fast"}}}
	v.Flow.Steps = []*step{{Name: "pay"}}
	v.Profile = make([]struct{ Rate float64 }, 1)
	cases := []struct{ path, want string }{
		{"services[1].instances", "services[checkout-api].instances"},
		{"services[checkout-api].instances", "services[checkout-api].instances"},
		{"services[0]", "services[gateway]"},
		{"services[2].instances", "services[2].instances"}, // "2fast" would read as an index
		{"services[9].instances", "services[9].instances"}, // out of range: as written
		{"services[nope].instances", "services[nope].instances"},
		{"flow.steps[0].kind", "flow.steps[pay].kind"}, // through a pointer element
		{"profile[0].rate", "profile[0].rate"},         // no name field
		{"tags.x", "tags.x"},                           // a map: not followed
		{"unknown[0].x", "unknown[0].x"},
		{"services[1", "services[1"}, // unparsable: unchanged
	}
	for _, c := range cases {
		if got := NamedPath(v, c.path); got != c.want {
			t.Errorf("NamedPath(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}
