package tlsscan

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"strings"
)

var knownDHByPrime = func() map[string]knownDH {
	m := make(map[string]knownDH, len(knownDHGroups))
	for _, g := range knownDHGroups {
		m[strings.ToLower(g.Prime)] = g
	}
	return m
}()

// identifyDH names the group of a DHE ServerKeyExchange by its prime and
// generator: a well-known prime with another generator is still custom.
func identifyDH(p, g []byte) DHGroup {
	p = bytes.TrimLeft(p, "\x00")
	g = bytes.TrimLeft(g, "\x00")
	ph := hex.EncodeToString(p)
	out := DHGroup{
		Bits:      new(big.Int).SetBytes(p).BitLen(),
		Prime:     ph,
		Generator: hex.EncodeToString(g),
		Source:    "custom",
	}
	if k, ok := knownDHByPrime[ph]; ok && strings.EqualFold(strings.TrimLeft(k.Generator, "0"), strings.TrimLeft(out.Generator, "0")) {
		out.Name, out.Source = k.Name, k.RFC
	}
	return out
}
