package experiments

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// builtinFS holds the built-in scenarios, one YAML file per scenario,
// named after it: scenarios/retry-storm.yaml is "retry-storm". Adding a
// file adds a scenario; nothing else needs to change.
//
//go:embed scenarios/*.yaml
var builtinFS embed.FS

const builtinDir = "scenarios"

// BuiltinInfo names a built-in scenario and says in one line what it shows.
type BuiltinInfo struct {
	Name        string
	Description string
}

// BuiltinScenarios lists the built-in scenarios sorted by name, with the
// description each file gives in its description field.
func BuiltinScenarios() []BuiltinInfo {
	var out []BuiltinInfo
	for _, name := range builtinNames() {
		data, err := BuiltinYAML(name)
		if err != nil {
			continue
		}
		var head struct {
			Description string `yaml:"description"`
		}
		// Only the description is read here; LoadScenario checks the
		// whole file (and a test loads every built-in).
		_ = yaml.Unmarshal(data, &head)
		out = append(out, BuiltinInfo{Name: name, Description: strings.TrimSpace(head.Description)})
	}
	return out
}

// BuiltinYAML returns the built-in scenario's file exactly as embedded, for
// `checkoutsim scenarios show` and for users to copy. An unknown name is an
// error that lists the built-ins.
func BuiltinYAML(name string) ([]byte, error) {
	if name != "" && !strings.ContainsAny(name, `/\.`) {
		data, err := builtinFS.ReadFile(path.Join(builtinDir, name+".yaml"))
		if err == nil {
			return data, nil
		}
	}
	return nil, fmt.Errorf("unknown scenario %q: no such file, and no built-in scenario of that name (built-ins: %s)",
		name, strings.Join(builtinNames(), ", "))
}

// builtinExists reports whether name is a built-in scenario.
func builtinExists(name string) bool {
	_, err := BuiltinYAML(name)
	return err == nil
}

// builtinNames lists the embedded scenarios' names, sorted.
func builtinNames() []string {
	entries, err := fs.ReadDir(builtinFS, builtinDir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
