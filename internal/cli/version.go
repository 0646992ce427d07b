package cli

import (
	"runtime/debug"
	"strings"
)

// Version is the suite's release version, set at build time with
// -ldflags "-X github.com/apisec/apisec/internal/cli.Version=…".
var Version = "dev"

// BuildVersion names the exact suite build for the certification record:
// the -ldflags version when set, else the module version and the VCS
// revision Go embedded at build time ("devel+3f2c1ab", "-dirty" when the
// tree had uncommitted changes). A build without either says so.
func BuildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	base := Version
	if base == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		base = info.Main.Version
	}
	if rev == "" {
		if base == "dev" {
			return "dev (unversioned build: no -ldflags version, no VCS revision)"
		}
		return base
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := base + "+" + rev
	if modified == "true" {
		v += "-dirty"
	}
	return strings.TrimPrefix(v, "dev+")
}
