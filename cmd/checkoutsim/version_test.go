package main

import (
	"runtime/debug"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	cases := []struct {
		name     string
		explicit string
		bi       *debug.BuildInfo
		want     string
	}{
		{"no build info", "", nil, "devel"},
		{"ldflags version wins", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}}, "v1.2.3"},
		{"module version", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}}, "v0.9.0"},
		{"devel build from a clean checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("6d8a84d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7", "false")}, "devel (commit 6d8a84d1c2e3)"},
		{"pseudo-version already names the commit", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202104857-6d8a84db8fae+dirty"}, Settings: vcs("6d8a84db8fae0011", "true")}, "v0.0.0-20261202104857-6d8a84db8fae+dirty"},
		{"modified checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("abc", "true")}, "devel (commit abc, modified)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := describeBuild(c.explicit, c.bi); got != c.want {
				t.Fatalf("describeBuild = %q, want %q", got, c.want)
			}
		})
	}
}
