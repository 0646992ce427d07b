package pki

import (
	"crypto"
	"path/filepath"
	"sync"
)

// File names of the second client's signing key: a client registered beside
// the suite's own, whose key must never sign for the first (RFC 7523 §3
// item 9, RFC 8725 §3.8).
const (
	SecondClientKeyFile = "client2-signing.key"
	SecondClientPubFile = "client2-signing.pub.pem"
)

// secondMu serialises load-or-create, so concurrent callers in one process
// (parallel reference targets sharing a certs folder) get the same key.
var secondMu sync.Mutex

// SecondClientKey loads the second client's signing key from the certs
// folder, generating it (0600, with its public key beside it) on first use.
func (s *Set) SecondClientKey() (crypto.Signer, error) {
	secondMu.Lock()
	defer secondMu.Unlock()
	return loadOrCreateKey(filepath.Join(s.Dir, SecondClientKeyFile), filepath.Join(s.Dir, SecondClientPubFile))
}
