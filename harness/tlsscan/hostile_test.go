package tlsscan

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// readHello consumes what the client sent (up to one read).
func readHello(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 1<<16)
	_, _ = c.Read(buf)
}

// Hostile endpoints must each yield a classified error within the deadline,
// never a panic, a hang or a "supported" claim.
func TestScanHostileEndpoints(t *testing.T) {
	freePort := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	cases := []struct {
		name  string
		addr  func(t *testing.T) string
		kinds []Kind
	}{
		{"nothing listening", freePort, []Kind{KindRefused}},
		{"plain HTTP", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			})
		}, []Kind{KindNotTLS}},
		{"close mid-handshake", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				// A ServerHello record header announcing 80 bytes, then 10.
				_, _ = c.Write([]byte{22, 3, 3, 0, 80, 2, 0, 0, 76, 3, 3, 1, 2, 3, 4})
			})
		}, []Kind{KindEOF}},
		{"garbage records", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{0x99, 0x03, 0x03, 0x00, 0x10, 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
			})
		}, []Kind{KindProtocol}},
		{"oversized record", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{22, 3, 3, 0xff, 0xff})
			})
		}, []Kind{KindTooLarge}},
		{"endless ChangeCipherSpec records", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				batch := bytes.Repeat([]byte{20, 3, 3, 0, 1, 1}, 1<<14)
				for range 4 { // 384 KiB, past the 256 KiB bound
					if _, err := c.Write(batch); err != nil {
						return
					}
				}
			})
		}, []Kind{KindTooLarge}},
		{"huge handshake message", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{22, 3, 3, 0, 4, 2, 0x7f, 0xff, 0xff})
				_, _ = io.Copy(io.Discard, c)
			})
		}, []Kind{KindTooLarge}},
		{"malformed ServerHello", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{22, 3, 3, 0, 8, 2, 0, 0, 4, 3, 3, 0, 0})
			})
		}, []Kind{KindProtocol}},
		{"stall (slowloris)", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) {
				readHello(c)
				_, _ = c.Write([]byte{22, 3}) // two bytes, then nothing
				_, _ = io.Copy(io.Discard, c)
			})
		}, []Kind{KindTimeout}},
		{"silent accept", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
		}, []Kind{KindTimeout}},
		{"close without answer", func(t *testing.T) string {
			return serveRaw(t, func(c net.Conn) { readHello(c) })
		}, []Kind{KindEOF}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.addr(t)
			// The context is the "never a hang" bound: every probe has
			// its own deadline and a bounded number of attempts.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := Scan(ctx, Target{Address: addr, ServerName: "scan.test"}, Options{Timeout: 500 * time.Millisecond, Backoff: time.Millisecond})
			if res == nil {
				t.Fatal("nil Result")
			}
			if err == nil {
				t.Fatalf("no error; versions %+v", res.Versions)
			}
			if k := kindOf(err); !containsKind(tc.kinds, k) {
				t.Errorf("error kind %q (%v), want one of %v", k, err, tc.kinds)
			}
			if ctx.Err() != nil {
				t.Fatal("the scan ran into the test's deadline")
			}
			for _, vr := range res.Versions {
				if vr.Supported {
					t.Errorf("%s reported supported by a hostile endpoint", vr.Name)
				}
			}
		})
	}
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func TestScanCancelledContext(t *testing.T) {
	addr := serveRaw(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	// The per-probe timeout is a minute: returning at all (within go
	// test's own timeout) and with the context's error shows the scan
	// honours the cancelled context; no wall-clock assertion.
	_, err := Scan(ctx, Target{Address: addr}, Options{Timeout: time.Minute})
	if err == nil {
		t.Fatal("cancelled scan returned no error")
	}
	if k := kindOf(err); k != KindTimeout && k != KindCanceled {
		t.Errorf("kind %q, want timeout or canceled", k)
	}
}

func TestScanGuardRefusal(t *testing.T) {
	deny := func(context.Context, string, string) (net.Conn, error) {
		return nil, errHostNotAllowed
	}
	res, err := Scan(context.Background(), Target{Address: "127.0.0.1:1"}, Options{Dial: deny})
	if kindOf(err) != KindGuard {
		t.Fatalf("err = %v, want kind guard", err)
	}
	if res.Handshakes == 0 {
		t.Error("refused dials must still be counted as attempted handshakes")
	}
}

type hostErr string

func (e hostErr) Error() string { return string(e) }

const errHostNotAllowed = hostErr("conduct: host is not named in the profile")
