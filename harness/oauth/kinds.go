package oauth

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// Kinds of judgement, for the feature files' Then sentences: a step can
// check that its sentence says what the plan judges.
const (
	KindControl        = "control"
	KindToken          = "token"
	KindTokenShould    = "token-should"
	KindRefuseClient   = "refuse-client"
	KindRefuseEither   = "refuse-client-either-policy"
	KindRefuseShould   = "refuse-should"
	KindRefuseClientOr = "refuse-client-or-request"
	KindRefuseGrant    = "refuse-grant"
	KindRefuseAny      = "refuse"
	KindRefuseCode     = "refuse-code"
	KindRecord         = "record"
	KindCheck          = "check"
)

// Kind says how the probe is judged.
func (p Probe) Kind() string {
	switch p.judge {
	case judgeControl:
		return KindControl
	case judgeToken:
		return KindToken
	case judgeTokenShould:
		return KindTokenShould
	case judgeClient:
		if p.Rule != RuleR001 {
			return KindRefuseAny
		}
		return KindRefuseClient
	case judgeClientEither:
		return KindRefuseEither
	case judgeRefuseShould:
		return KindRefuseShould
	case judgeClientOrRequest:
		return KindRefuseClientOr
	case judgeGrant:
		if p.Rule != RuleR001 {
			return KindRefuseAny
		}
		return KindRefuseGrant
	case judgeRefusal:
		return KindRefuseCode
	case judgeRecord:
		return KindRecord
	}
	return KindCheck
}

// RefusalCodes are the error codes a KindRefuseCode probe accepts.
func (p Probe) RefusalCodes() []string {
	if p.ref == nil {
		return nil
	}
	return p.ref.Codes
}

// Evidence is the probe's transcript with credentials redacted, as JSON.
func (res *Result) Evidence() []byte {
	type item struct {
		Probe     Probe       `json:"probe"`
		Mutations []string    `json:"mutations,omitempty"`
		Notes     []string    `json:"notes,omitempty"`
		Exchanges []*Exchange `json:"exchanges"`
	}
	it := item{Probe: res.Probe, Mutations: res.Applied, Notes: res.Notes}
	for _, ex := range res.Exchanges {
		it.Exchanges = append(it.Exchanges, ex.Redacted())
	}
	b, err := json.MarshalIndent(it, "", "  ")
	if err != nil {
		return []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	return b
}

// LoadSigningKey reads the client's PEM private key (PKCS #8, SEC 1 EC or
// PKCS #1 RSA).
func LoadSigningKey(path string) (crypto.Signer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("oauth: signing key: %w", err)
	}
	for {
		var block *pem.Block
		block, raw = pem.Decode(raw)
		if block == nil {
			return nil, fmt.Errorf("oauth: signing key %s: no private key PEM block", path)
		}
		var k any
		switch block.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("oauth: signing key %s: %w", path, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, errors.New("oauth: signing key cannot sign")
		}
		return s, nil
	}
}
