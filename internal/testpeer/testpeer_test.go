package testpeer

import (
	"os/exec"
	"testing"
)

func TestRequireFindsAnInstalledPeer(t *testing.T) {
	want, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	if got := Require(t, "sh", "dash"); got != want {
		t.Fatalf("Require(sh) = %q, want %q", got, want)
	}
}

func TestRequireSkipsOutsideCIAndFailsInCI(t *testing.T) {
	t.Setenv("CI", "")
	var skipped bool
	t.Run("outside CI", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Require(t, "apisec-no-such-peer", "none")
	})
	if !skipped {
		t.Fatal("a missing peer outside CI must skip the test")
	}
}
