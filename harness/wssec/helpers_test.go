package wssec

import (
	"testing"
	"time"

	"github.com/beevik/etree"
)

func testCred(t *testing.T, cn string) Credential {
	t.Helper()
	c, err := SelfSigned(cn, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func etreeDoc(el *etree.Element) []byte {
	d := etree.NewDocument()
	d.SetRoot(el)
	b, _ := d.WriteToBytes()
	return b
}
