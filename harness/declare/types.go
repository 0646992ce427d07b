// Package declare creates and verifies role declarations: a small YAML
// statement by the specifier, server developer or server deployer that the
// rules they answer for are met, signed as a compact JWS with the role's key.
package declare

import (
	"time"

	"github.com/apisec/apisec/harness/catalogue"
)

// Statement is the YAML body of a declaration.
type Statement struct {
	Version int            `yaml:"version" json:"version"`
	Role    catalogue.Role `yaml:"role" json:"role"`
	// Rules are the rule ids the role declares met.
	Rules []string `yaml:"rules" json:"rules"`
	// Target is the base URL of the deployment the declaration covers.
	Target string `yaml:"target" json:"target"`
	// Declarant names the person or organisation answering for the role.
	Declarant string    `yaml:"declarant" json:"declarant"`
	IssuedAt  time.Time `yaml:"issued_at" json:"issued_at"`
	ExpiresAt time.Time `yaml:"expires_at" json:"expires_at"`
	// Remarks may cite evidence (e.g. a pentest report), at most 1000 characters.
	Remarks string `yaml:"remarks,omitempty" json:"remarks,omitempty"`
	// GenericFunctions names the nationally prescribed generic functions used (SC009).
	GenericFunctions []string `yaml:"generic_functions,omitempty" json:"generic_functions,omitempty"`
}

// Checked is one declaration file after verification: either a valid
// statement or the reason it was rejected.
type Checked struct {
	File      string    `json:"file"`
	Statement Statement `json:"statement"`
	// KeyThumbprint is the RFC 7638 thumbprint of the key that signed it.
	KeyThumbprint string `json:"key_thumbprint,omitempty"`
	// Rejected is empty for a valid declaration.
	Rejected string `json:"rejected,omitempty"`
	// Test is true for TEST declarations: signed with the suite's
	// throw-away keys, or accepted as TEST by the operator's
	// --test-declarations. They are never shown as plain conformance.
	Test bool `json:"test,omitempty"`
	// claimed are the rules a rejected declaration's payload named; never
	// serialised or shown (see Names).
	claimed []string
}
