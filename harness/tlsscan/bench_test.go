package tlsscan

import (
	"context"
	"crypto/tls"
	"testing"
	"time"
)

// BenchmarkScan measures a full scan (versions, every suite, order, groups,
// signature hashes, options, full handshake) against loopback servers.
// Reference points on the same machine for the default openssl s_server
// (TLS 1.2+1.3): testssl.sh about 40 s, sslscan about 1.3 s.
func BenchmarkScan(b *testing.B) {
	p := newPKI(b, "rsa2048")
	servers := []struct {
		name string
		addr func(b *testing.B) string
	}{
		{"crypto-tls", func(b *testing.B) string {
			return serveTLS(b, &tls.Config{Certificates: []tls.Certificate{p.leaf}})
		}},
		{"openssl-s_server-default", func(b *testing.B) string {
			return startSServer(b, needOpenSSL(b), p, nil)
		}},
	}
	for _, srv := range servers {
		b.Run(srv.name, func(b *testing.B) {
			addr := srv.addr(b)
			var hs int
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				res, err := Scan(ctx, Target{Address: addr, ServerName: "scan.test", RootCAs: p.pool}, Options{Timeout: 5 * time.Second})
				cancel()
				if err != nil {
					b.Fatal(err)
				}
				hs = res.Handshakes
			}
			b.ReportMetric(float64(hs), "handshakes/scan")
		})
	}
}
