package oauth

import (
	"testing"

	"github.com/apisec/apisec/harness/profile"
)

func TestZZCount(t *testing.T) {
	for _, o := range []*profile.OAuth{
		{AudienceProfile: "rfc7523bis", GrantSubject: "x", ResourceURL: "https://x"},
		{AudienceProfile: "rfc7523"},
	} {
		ps := Plan(o)
		by := map[string]int{}
		for _, p := range ps {
			by[p.Rule]++
		}
		t.Logf("%s grant=%v rs=%v: %d probes, %d requests max, %v", o.AudienceProfile, o.GrantSubject != "", o.ResourceURL != "", len(ps), Total(ps), by)
	}
}
