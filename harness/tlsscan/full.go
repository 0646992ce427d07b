package tlsscan

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/cryptobyte"
)

// fullResult is what the crypto/tls handshake showed.
type fullResult struct {
	probe         int
	probes        []int
	ok            bool
	err           error
	version       uint16
	suite         uint16
	certs         [][]byte
	staple        []byte
	certRequested bool
	// certRequired: the server ended the handshake (or the connection
	// right after it) because no client certificate came.
	certRequired bool
	zeroRTT      ZeroRTT
}

// errNeedClientCert is the reason for items a server hides behind mutual
// TLS when the profile gives the suite no client certificate.
const errNeedClientCert = "the endpoint requires a client certificate and the profile gives none (tls.endpoints[].client_certificate)"

// captureConn keeps a copy of every byte read, so records crypto/tls
// consumed can be decrypted again with the logged secrets, and the first
// bytes written (the ClientHello) for the evidence.
type captureConn struct {
	net.Conn
	mu      sync.Mutex
	buf     []byte
	written []byte
}

func (c *captureConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if len(c.written) == 0 {
		c.written = slices.Clone(p[:min(len(p), 1<<14)])
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// firstRecord returns the first record's payload of the captured stream.
func firstRecord(b []byte) []byte {
	if len(b) < 5 {
		return nil
	}
	n := int(b[3])<<8 | int(b[4])
	if len(b) < 5+n {
		return b[5:]
	}
	return b[5 : 5+n]
}

func (c *captureConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if len(c.buf)+n <= maxFlightBytes {
		c.buf = append(c.buf, p[:n]...)
	}
	c.mu.Unlock()
	return n, err
}

// keyLog collects the NSS key log lines crypto/tls writes.
type keyLog struct {
	mu      sync.Mutex
	secrets map[string][]byte
}

func (k *keyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, line := range strings.Split(string(p), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			if b, err := hex.DecodeString(f[2]); err == nil {
				k.secrets[f[0]] = b
			}
		}
	}
	return len(p), nil
}

func (k *keyLog) get(label string) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.secrets[label]
}

// allGoSuites lets crypto/tls offer every suite it implements, including
// the insecure ones, so the full handshake succeeds wherever it can.
func allGoSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// fullHandshake completes a real handshake at the highest version crypto/tls
// and the server share: the certificate chain (encrypted in TLS 1.3), the
// stapled OCSP response, client-certificate requests, and the session
// tickets that say whether the server takes 0-RTT data. It is tried again
// when it gets no answer (see retry).
func (s *scanner) fullHandshake(ctx context.Context) fullResult {
	var fr fullResult
	var probes []int
	s.retry(ctx, func(n int) bool {
		fr = s.fullHandshakeOnce(ctx, n)
		probes = append(probes, fr.probe)
		return silent(fr.err) || (fr.ok && fr.zeroRTT.State.Status == Unresolved && fr.zeroRTT.State.Reason == errTicketsSilent)
	})
	fr.probes = probes
	return fr
}

func (s *scanner) fullHandshakeOnce(ctx context.Context, attempt int) fullResult {
	var fr fullResult
	start := time.Now()
	p := Probe{Purpose: "full handshake (crypto/tls)", Offered: "crypto/tls client, TLS 1.0-1.3, status_request"}
	if attempt > 1 {
		p.Attempt = attempt
	}
	defer func() {
		p.DurationUS = time.Since(start).Microseconds()
		fr.probe = s.addProbe(p)
	}()
	if err := s.acquire(ctx); err != nil {
		fr.err = wrapErr("wait for a slot", err)
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(fr.err), fr.err.Error()
		return fr
	}
	defer s.release()
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	raw, done, err := s.dial(ctx)
	if err != nil {
		fr.err = err
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(err), err.Error()
		return fr
	}
	defer done()
	cc := &captureConn{Conn: raw}
	kl := &keyLog{secrets: map[string][]byte{}}
	cfg := &tls.Config{
		ServerName:         serverName(s.t),
		InsecureSkipVerify: true, // the chain is verified by buildChain, with the report's reasons
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS13,
		CipherSuites:       allGoSuites(),
		// A session cache makes crypto/tls send psk_key_exchange_modes,
		// without which servers issue no TLS 1.3 tickets (RFC 8446 4.2.9).
		ClientSessionCache: tls.NewLRUClientSessionCache(1),
		KeyLogWriter:       kl,
		Time:               s.o.Now,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			fr.certRequested = true
			if s.t.ClientCert != nil {
				return s.t.ClientCert, nil
			}
			return &tls.Certificate{}, nil
		},
	}
	conn := tls.Client(cc, cfg)
	err = conn.HandshakeContext(ctx)
	cc.mu.Lock()
	p.ClientHello, p.ServerHello = s.hexOf(cc.written), s.hexOf(firstRecord(cc.buf))
	cc.mu.Unlock()
	if err != nil {
		fr.err = wrapErr("full handshake", err)
		if fr.err.(*Error).Kind == KindOther {
			fr.err.(*Error).Kind = KindProtocol
		}
		// In TLS 1.2 a server that requires a certificate ends the
		// handshake with an alert (RFC 5246 7.4.6) after our empty one.
		fr.certRequired = fr.certRequested && s.t.ClientCert == nil && isAlert(err)
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(fr.err), fr.err.Error()
		return fr
	}
	st := conn.ConnectionState()
	fr.ok, fr.version, fr.suite, fr.staple = true, st.Version, st.CipherSuite, st.OCSPResponse
	for _, c := range st.PeerCertificates {
		fr.certs = append(fr.certs, c.Raw)
	}
	p.Outcome = "full-handshake"
	p.Answer = fmt.Sprintf("%s %s, %d certificates, OCSP staple %d bytes", VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), len(fr.certs), len(fr.staple))
	if st.Version == tls.VersionTLS13 {
		fr.zeroRTT = s.readTickets(ctx, conn, cc, kl, st.CipherSuite)
		// In TLS 1.3 the client finishes first; a server that requires a
		// certificate says so after (RFC 8446 4.4.2.4, certificate_required).
		if fr.zeroRTT.State.Status != Observed && fr.certRequested && s.t.ClientCert == nil {
			fr.certRequired = true
			fr.zeroRTT.State = notTested(errNeedClientCert + "; the server ended the connection: " + fr.zeroRTT.State.Reason)
		}
		p.Answer += "; " + zeroRTTSummary(fr.zeroRTT)
	} else {
		fr.zeroRTT.State = notTested("the full handshake negotiated " + VersionName(st.Version) + "; 0-RTT needs a TLS 1.3 handshake crypto/tls can complete")
	}
	return fr
}

func isAlert(err error) bool {
	var ae tls.AlertError
	return errors.As(err, &ae) || strings.Contains(err.Error(), "remote error: tls:")
}

func zeroRTTSummary(z ZeroRTT) string {
	if z.State.Seen() {
		return fmt.Sprintf("%d tickets, max_early_data %d", z.Tickets, z.MaxEarlyData)
	}
	return "tickets: " + z.State.Reason
}

// errTicketsSilent: the server neither sent a ticket nor closed; retried.
const errTicketsSilent = "no NewSessionTicket and no close before the deadline"

// readTickets finds the server's NewSessionTickets and their early_data
// extension. crypto/tls consumes tickets without exposing max_early_data
// (it keeps it only for QUIC), so the records it read are decrypted again
// from the captured bytes with the logged traffic secrets (RFC 8446 7.1,
// 7.3, 5.2). Sending close_notify makes the server flush its tickets and
// close, so the read ends without waiting for a timeout.
func (s *scanner) readTickets(ctx context.Context, conn *tls.Conn, cc *captureConn, kl *keyLog, suite uint16) ZeroRTT {
	z := ZeroRTT{Method: "NewSessionTicket early_data extension (RFC 8446 4.6.1)"}
	hsSecret, appSecret := kl.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"), kl.get("SERVER_TRAFFIC_SECRET_0")
	if hsSecret == nil || appSecret == nil {
		z.State = notTested("traffic secrets were not logged")
		return z
	}
	_ = conn.CloseWrite()
	dl := time.Now().Add(min(s.o.Timeout, 2*time.Second))
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	_ = cc.SetReadDeadline(dl)
	dec, err := newTicketReader(suite, hsSecret, appSecret)
	if err != nil {
		z.State = notTested(err.Error())
		return z
	}
	buf := make([]byte, 4096)
	for {
		cc.mu.Lock()
		stream := slices.Clone(cc.buf)
		cc.mu.Unlock()
		tickets, maxEarly, perr := dec.scan(stream)
		if perr != nil {
			z.State = unresolved(perr.Error())
			return z
		}
		if tickets > 0 {
			z.State, z.Tickets, z.MaxEarlyData, z.Offered = observed(), tickets, maxEarly, maxEarly > 0
			return z
		}
		if _, err := cc.Read(buf); err != nil {
			if KindOf(err) == KindTimeout {
				// Neither a ticket nor a close: silence, not "no
				// tickets" (a server that issues none closes after our
				// close_notify).
				z.State = unresolved(errTicketsSilent)
				return z
			}
			// Closed without a ticket: the server issues no tickets,
			// so it cannot resume, let alone with early data.
			z.State = observed()
			return z
		}
	}
}

// ticketReader decrypts the server's TLS 1.3 records of a captured stream.
type ticketReader struct {
	hs, app  cipher.AEAD
	hsIV     []byte
	appIV    []byte
	hashSize int
}

func newTicketReader(suite uint16, hsSecret, appSecret []byte) (*ticketReader, error) {
	var newHash func() hash.Hash
	var keyLen int
	var mk func(key []byte) (cipher.AEAD, error)
	gcm := func(key []byte) (cipher.AEAD, error) {
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(b)
	}
	switch suite {
	case tls.TLS_AES_128_GCM_SHA256:
		newHash, keyLen, mk = sha256.New, 16, gcm
	case tls.TLS_AES_256_GCM_SHA384:
		newHash, keyLen, mk = sha512.New384, 32, gcm
	case tls.TLS_CHACHA20_POLY1305_SHA256:
		newHash, keyLen, mk = sha256.New, 32, chacha20poly1305.New
	default:
		return nil, fmt.Errorf("no AEAD for TLS 1.3 suite 0x%04x", suite)
	}
	tr := &ticketReader{}
	var err error
	for _, x := range []struct {
		secret []byte
		aead   *cipher.AEAD
		iv     *[]byte
	}{{hsSecret, &tr.hs, &tr.hsIV}, {appSecret, &tr.app, &tr.appIV}} {
		key, err1 := expandLabel(newHash, x.secret, "key", keyLen)
		iv, err2 := expandLabel(newHash, x.secret, "iv", 12)
		if err = errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if *x.aead, err = mk(key); err != nil {
			return nil, err
		}
		*x.iv = iv
	}
	return tr, nil
}

// expandLabel is HKDF-Expand-Label (RFC 8446 7.1) with an empty context.
func expandLabel(h func() hash.Hash, secret []byte, label string, n int) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint16(uint16(n))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("tls13 " + label)) })
	b.AddUint8LengthPrefixed(func(*cryptobyte.Builder) {})
	info, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return hkdf.Expand(h, secret, string(info), n)
}

func nonce(iv []byte, seq uint64) []byte {
	n := slices.Clone(iv)
	for i := 0; i < 8; i++ {
		n[len(n)-1-i] ^= byte(seq >> (8 * i))
	}
	return n
}

// scan walks the captured server stream from the start and counts the
// NewSessionTickets, returning the largest max_early_data_size. Records
// that are incomplete at the end are left for the next call.
func (tr *ticketReader) scan(stream []byte) (tickets int, maxEarly uint32, err error) {
	var hsSeq, appSeq uint64
	inApp := false
	var hsBuf []byte
	for len(stream) >= 5 {
		typ := stream[0]
		n := int(stream[3])<<8 | int(stream[4])
		if n > maxRecordPayload {
			return 0, 0, protoErr("read tickets", "record of %d bytes", n)
		}
		if len(stream) < 5+n {
			break
		}
		hdr, payload := stream[:5], stream[5:5+n]
		stream = stream[5+n:]
		if typ != recordApplicationData {
			continue // ServerHello, HRR, ChangeCipherSpec, plaintext alert
		}
		var plain []byte
		if !inApp {
			if p, err := tr.hs.Open(nil, nonce(tr.hsIV, hsSeq), payload, hdr); err == nil {
				hsSeq++
				plain = p
			} else {
				inApp = true
			}
		}
		if inApp {
			p, err := tr.app.Open(nil, nonce(tr.appIV, appSeq), payload, hdr)
			if err != nil {
				return tickets, maxEarly, protoErr("read tickets", "record %d does not decrypt with the application traffic key", appSeq)
			}
			appSeq++
			plain = p
		}
		plain = bytes.TrimRight(plain, "\x00")
		if len(plain) == 0 {
			return tickets, maxEarly, protoErr("read tickets", "empty inner plaintext")
		}
		ctype, content := plain[len(plain)-1], plain[:len(plain)-1]
		if ctype == recordAlert && len(content) >= 2 && !(content[0] == 1 && content[1] == 0) {
			return tickets, maxEarly, fmt.Errorf("server sent alert %s after the handshake", Alert{content[0], content[1]})
		}
		if !inApp || ctype != recordHandshake {
			continue
		}
		hsBuf = append(hsBuf, content...)
		for len(hsBuf) >= 4 {
			l := int(hsBuf[1])<<16 | int(hsBuf[2])<<8 | int(hsBuf[3])
			if l > maxHandshakeMsg {
				return tickets, maxEarly, protoErr("read tickets", "handshake message of %d bytes", l)
			}
			if len(hsBuf) < 4+l {
				break
			}
			if hsBuf[0] == hsNewSessionTicket {
				tickets++
				if m, ok := parseTicketEarlyData(hsBuf[4 : 4+l]); ok && m > maxEarly {
					maxEarly = m
				}
			}
			hsBuf = hsBuf[4+l:]
		}
	}
	return tickets, maxEarly, nil
}

// parseTicketEarlyData reads max_early_data_size from a NewSessionTicket
// body (RFC 8446 4.6.1); ok is false when the extension is absent.
func parseTicketEarlyData(body []byte) (uint32, bool) {
	s := cryptobyte.String(body)
	var lifetime, ageAdd uint32
	var tnonce, ticket, exts cryptobyte.String
	if !s.ReadUint32(&lifetime) || !s.ReadUint32(&ageAdd) || !s.ReadUint8LengthPrefixed(&tnonce) ||
		!s.ReadUint16LengthPrefixed(&ticket) || !s.ReadUint16LengthPrefixed(&exts) {
		return 0, false
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return 0, false
		}
		var m uint32
		if typ == extEarlyData && data.ReadUint32(&m) {
			return m, true
		}
	}
	return 0, false
}

// assemble turns the collected raw material into the Result's chain,
// OCSP, DH, client-auth and 0-RTT fields; tls13 is the TLS 1.3 version
// probe's status ("yes", "no", "error").
func (s *scanner) assemble(res *Result, full fullResult, tls13 string) {
	now := s.o.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	primaryLeaf := -1
	if full.ok && len(full.certs) > 0 {
		ch, parsed := buildChain("full-handshake", full.version, full.certs, s.t, now)
		res.Chains = append(res.Chains, ch)
		seen[hex.EncodeToString(fingerprint(full.certs[0]))] = true
		primaryLeaf = 0
		if len(full.staple) > 0 {
			res.OCSPStapling = ocspResult(full.staple, ch, parsed, now)
		} else {
			res.OCSPStapling = OCSPStapling{State: observed(), CertHasOCSPURL: len(ch.Certs[0].OCSPServers) > 0}
		}
	}
	raws := make([]rawChain, 0, len(s.chains))
	for _, rc := range s.chains {
		raws = append(raws, rc)
	}
	slices.SortFunc(raws, func(a, b rawChain) int { return a.order - b.order })
	for _, rc := range raws {
		key := hex.EncodeToString(fingerprint(rc.ders[0]))
		if seen[key] {
			continue
		}
		seen[key] = true
		ch, parsed := buildChain("tls12-certificate", rc.version, rc.ders, s.t, now)
		res.Chains = append(res.Chains, ch)
		if primaryLeaf < 0 {
			primaryLeaf = len(res.Chains) - 1
			if len(s.staple12) > 0 {
				res.OCSPStapling = ocspResult(s.staple12, ch, parsed, now)
			} else {
				res.OCSPStapling = OCSPStapling{State: observed(), CertHasOCSPURL: len(ch.Certs[0].OCSPServers) > 0}
			}
		}
	}
	res.ChainsState = observed()
	if primaryLeaf < 0 {
		why := "no certificate chain was received"
		if full.err != nil {
			why += ": full handshake: " + full.err.Error()
		}
		res.ChainsState = unresolved(why, full.probes...)
		res.OCSPStapling.State = res.ChainsState
	}
	for _, g := range s.dh {
		res.DHGroups = append(res.DHGroups, g)
	}
	slices.SortFunc(res.DHGroups, func(a, b DHGroup) int { return a.Probe - b.Probe })
	switch {
	case full.certRequired:
		res.ClientAuth = "required"
	case s.certReq || full.certRequested:
		res.ClientAuth = "requested"
	}
	res.ZeroRTT = full.zeroRTT
	switch {
	case tls13 == "no":
		res.ZeroRTT.State = absent("TLS 1.3 is not supported")
	case tls13 == "error" && !res.ZeroRTT.State.Seen():
		res.ZeroRTT.State = unresolved("TLS 1.3 support is unresolved")
	case full.certRequired && res.ZeroRTT.State.Status != NotTested:
		res.ZeroRTT.State = notTested(errNeedClientCert, full.probes...)
	case !full.ok:
		why := "the full handshake failed"
		if full.err != nil {
			why += ": " + full.err.Error()
		}
		if silent(full.err) {
			res.ZeroRTT.State = unresolved(why, full.probes...)
		} else {
			res.ZeroRTT.State = notTested(why, full.probes...)
		}
	}
}

func ocspResult(staple []byte, ch Chain, parsed []*x509Cert, now time.Time) OCSPStapling {
	o := OCSPStapling{State: observed(), Stapled: true, CertHasOCSPURL: len(ch.Certs[0].OCSPServers) > 0}
	var leaf, issuer *x509Cert
	if len(parsed) > 0 {
		leaf = parsed[0]
	}
	if len(parsed) > 1 {
		issuer = parsed[1]
	}
	o.CertStatus, o.Problem = checkStaple(staple, leaf, issuer, now)
	o.Valid = o.Problem == ""
	return o
}
