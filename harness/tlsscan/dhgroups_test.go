package tlsscan

import (
	"math/big"
	"regexp"
	"strconv"
	"testing"
)

// The well-known groups are transcribed data: check each prime is prime,
// safe where its RFC says so, and of the size its name says.
func TestKnownDHGroups(t *testing.T) {
	sizeRe := regexp.MustCompile(`(\d{3,4})`)
	for _, g := range knownDHGroups {
		t.Run(g.Name, func(t *testing.T) {
			p, ok := new(big.Int).SetString(g.Prime, 16)
			if !ok {
				t.Fatal("prime is not hex")
			}
			if m := sizeRe.FindString(g.Name); m != "" {
				if want, _ := strconv.Atoi(m); p.BitLen() != want {
					t.Errorf("%d bits, name says %d", p.BitLen(), want)
				}
			}
			if !p.ProbablyPrime(0) {
				t.Fatal("not prime")
			}
			if g.RFC != "RFC 5114" {
				q := new(big.Int).Rsh(p, 1)
				if !q.ProbablyPrime(0) {
					t.Errorf("%s group is not a safe prime", g.RFC)
				}
			}
			got := identifyDH(p.Bytes(), []byte{2})
			if g.Generator == "02" && (got.Name != g.Name || got.Source != g.RFC) {
				t.Errorf("identifyDH = %s/%s", got.Name, got.Source)
			}
			if other := identifyDH(p.Bytes(), []byte{5}); other.Source != "custom" && g.Generator == "02" {
				t.Error("a known prime with another generator must count as custom")
			}
		})
	}
	if got := identifyDH([]byte{0, 0xff, 0xfb}, []byte{2}); got.Source != "custom" || got.Bits != 16 {
		t.Errorf("custom group: %+v", got)
	}
}
