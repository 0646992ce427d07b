package syslog_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/syslog"
	"github.com/apisec/apisec/harness/syslog/rsyslogpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRsyslogForwardsToTheReceiver proves the receiver against a real RFC
// 5425 implementation: messages sent to rsyslog arrive at the receiver over
// TLS with rsyslog's client certificate, octet-counted (RFC 5425 §4.3) and,
// when configured, LF-framed (RFC 6587 §3.4.2), each whole, multi-line
// payloads included where the framing allows them.
func TestRsyslogForwardsToTheReceiver(t *testing.T) {
	for _, framing := range []syslog.Framing{syslog.OctetCounting, syslog.NonTransparent} {
		t.Run(string(framing), func(t *testing.T) {
			t.Parallel()
			ca := newTestCA(t)
			srv, err := syslog.Issue(ca.cert, ca.key, "receiver", []string{"127.0.0.1"}, time.Now())
			require.NoError(t, err)
			r, err := syslog.Listen(syslog.Config{Framing: framing, TLS: &tls.Config{Certificates: []tls.Certificate{srv}, ClientCAs: ca.pool()}})
			require.NoError(t, err)
			defer r.Close()
			relay := rsyslogpeer.Start(t, ca.cert, ca.key, r.Addr(), framing)
			s := &syslog.Sender{Addr: relay.Input, TLS: &tls.Config{RootCAs: ca.pool(), ServerName: "127.0.0.1", Certificates: []tls.Certificate{relay.ClientCert}}}
			defer s.Close()
			const n = 50
			for i := range n {
				body := fmt.Sprintf(`<AuditMessage><EventIdentification EventActionCode="R" n="%d"/></AuditMessage>`, i)
				if framing == syslog.OctetCounting && i == 0 {
					body = "<AuditMessage>\n  <EventIdentification/>\n</AuditMessage>"
				}
				m, err := syslog.Format(time.Now(), "api-host", "fhir-server", "IHE+RFC-3881", []byte(body))
				require.NoError(t, err)
				require.NoError(t, s.Send(context.Background(), m))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			require.NoError(t, r.WaitCount(ctx, n), relay.Log())
			msgs := r.Messages(0)
			require.Len(t, msgs, n)
			for _, m := range msgs {
				assert.Equal(t, rsyslogpeer.CommonName, m.PeerName, "rsyslog authenticated with its client certificate")
				assert.Equal(t, "fhir-server", m.AppName)
				assert.Equal(t, "IHE+RFC-3881", m.MsgID)
				assert.True(t, strings.HasPrefix(strings.TrimSpace(m.Msg), "<AuditMessage>"), "%q", m.Msg)
			}
			if framing == syslog.OctetCounting {
				assert.Contains(t, msgs[0].Msg, "\n  <EventIdentification/>", "octet counting carries a multi-line payload whole")
			}
			st := r.Stats()
			assert.Zero(t, st.Malformed+st.BadFrames+st.Oversized+st.Truncated+st.HandshakeFailed, "%+v", st)
		})
	}
}

type relayCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) *relayCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "suite test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &relayCA{cert: cert, key: key}
}

func (c *relayCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.cert)
	return p
}
