package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version recorded by the Go toolchain is used.
var version = ""

// versionString is the module version and, when the binary was built from a
// git checkout (go build stamps vcs.* settings by default), the commit it was
// built from, e.g. "devel (commit 6d8a84d1c2e3, modified)".
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, bi)
}

// describeBuild formats an explicit version (may be "") and the build info
// (may be nil). Split from versionString so tests can feed it build info.
func describeBuild(explicit string, bi *debug.BuildInfo) string {
	v := explicit
	if v == "" && bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "devel"
	}
	if bi == nil {
		return v
	}
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if strings.Contains(v, rev) {
		// A pseudo-version (v0.0.0-20261202104857-6d8a84db8fae+dirty)
		// already names the commit and whether the tree was modified.
		return v
	}
	if modified {
		return fmt.Sprintf("%s (commit %s, modified)", v, rev)
	}
	return fmt.Sprintf("%s (commit %s)", v, rev)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the checkoutsim version and the commit it was built from",
		Example: "  checkoutsim version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "checkoutsim", versionString())
			return nil
		},
	}
}
