package pki

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Created once, reused after, reissued for the same key when the
// certificate is gone, and consistent under concurrent first use.
func TestXMLCredential(t *testing.T) {
	set, err := Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var wg sync.WaitGroup
	creds := make([]*XMLCredential, 4)
	errs := make([]error, len(creds))
	for i := range creds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			creds[i], errs[i] = set.XMLCredential(WSSClientName, "suite", now)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range creds {
		if c == nil || !c.Key.Equal(creds[0].Key) || !c.Cert.Equal(creds[0].Cert) {
			t.Fatal("concurrent first use gave different credentials")
		}
	}
	if err := creds[0].Cert.CheckSignatureFrom(set.CA); err != nil {
		t.Fatalf("not issued by the test CA: %v", err)
	}
	if err := os.Remove(filepath.Join(set.Dir, WSSClientName+".pem")); err != nil {
		t.Fatal(err)
	}
	again, err := set.XMLCredential(WSSClientName, "suite", now)
	if err != nil || !again.Key.Equal(creds[0].Key) || again.Cert.Equal(creds[0].Cert) {
		t.Fatalf("want the same key with a new certificate, got %v", err)
	}
	if fi, err := os.Stat(again.KeyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	later, err := set.XMLCredential(WSSClientName, "suite", now.Add(2*validityXML))
	if err != nil || later.Cert.Equal(again.Cert) {
		t.Fatalf("an expired certificate is reissued, got %v", err)
	}
}
