package tlsscan

// Client-initiated renegotiation needs a finished TLS 1.2 handshake and a
// second ClientHello sent encrypted on the same connection. crypto/tls only
// renegotiates when the server asks (HelloRequest) and never initiates, so
// this file carries a minimal TLS 1.2 client: ECDHE (x25519, P-256, P-384),
// DHE or static RSA key exchange with AES-GCM or ChaCha20-Poly1305, RFC
// 5246 PRF and Finished, RFC 5746 renegotiation_info, and a client
// certificate when the target has one. It
// does not verify the server's signature or certificate: it only needs to
// reach the point where the server accepts or refuses a renegotiation.

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"net"
	"slices"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/cryptobyte"
)

// renegotiationLimit is the most client-initiated renegotiations per
// connection a server may allow and still count as "limited" (internet.nl's
// threshold, harness/ncsc open point 3); RenegotiationLimitProbe attempts
// one more.
const (
	renegotiationLimit      = 10
	RenegotiationLimitProbe = renegotiationLimit + 1
)

// renegSuites are the suites the minimal client implements: ECDHE, DHE and
// static RSA key exchange with AES-GCM or ChaCha20-Poly1305, so a server
// with any AEAD suite can be asked the renegotiation question.
var renegSuites = []uint16{0xC02F, 0xC02B, 0xC030, 0xC02C, 0xCCA8, 0xCCA9, 0x009E, 0x009F, 0xCCAA, 0x00A2, 0x00A3, 0x009C, 0x009D}

// sha384Suites use the SHA-384 PRF (RFC 5289 3.2, RFC 5288 3).
var sha384Suites = []uint16{0xC030, 0xC02C, 0x009F, 0x00A3, 0x009D}

// clientRenegotiation runs one full TLS 1.2 handshake and then initiates up
// to Options.RenegotiationAttempts renegotiations on the same connection.
// The whole probe is tried again when the first handshake gets no answer.
func (s *scanner) clientRenegotiation(ctx context.Context) ClientRenegotiation {
	var r ClientRenegotiation
	var probes []int
	s.retry(ctx, func(n int) bool {
		var err error
		var id int
		r, id, err = s.clientRenegotiationOnce(ctx, n)
		probes = append(probes, id)
		return silent(err)
	})
	if !r.State.Seen() {
		r.State.Probes = probes
	}
	return r
}

// clientRenegotiationOnce is one attempt; the error is the first
// handshake's, when it failed.
func (s *scanner) clientRenegotiationOnce(ctx context.Context, attempt int) (r ClientRenegotiation, probe int, initErr error) {
	r = ClientRenegotiation{Attempts: s.o.RenegotiationAttempts}
	start := time.Now()
	p := Probe{Purpose: "TLS 1.2 client-initiated renegotiation", Offered: fmt.Sprintf("TLS 1.2 AEAD handshake, then up to %d renegotiations", r.Attempts)}
	if attempt > 1 {
		p.Attempt = attempt
	}
	defer func() {
		p.DurationUS = time.Since(start).Microseconds()
		probe = s.addProbe(p)
		if !r.State.Seen() && r.State.Reason != "" {
			r.State.Reason = fmt.Sprintf("probe %d: %s", probe, r.State.Reason)
		}
	}()
	if err := s.acquire(ctx); err != nil {
		r.State = unresolved(err.Error())
		return r, 0, wrapErr("wait for a slot", err)
	}
	defer s.release()
	// The deadline covers the whole exchange: one handshake per attempt.
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout*time.Duration(1+min(r.Attempts, 4)))
	defer cancel()
	conn, done, err := s.dial(ctx)
	if err != nil {
		r.State = unresolved(err.Error())
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(err), err.Error()
		return r, 0, err
	}
	defer done()
	c := &tls12Client{conn: conn, rr: newRecordReader(conn), s: s}
	// Each handshake gets its own deadline within the overall one, so a
	// server that ignores a renegotiation costs one Timeout, not all.
	deadline := func() {
		dl := time.Now().Add(s.o.Timeout)
		if d, ok := ctx.Deadline(); ok && d.Before(dl) {
			dl = d
		}
		_ = conn.SetDeadline(dl)
	}
	deadline()
	if err := c.handshake(nil); err != nil {
		why := "initial TLS 1.2 handshake failed: " + err.Error()
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(err), why
		var ae *alertError
		switch {
		case silent(err):
			r.State = unresolved(why)
		case c.certRequested && s.t.ClientCert == nil && errors.As(err, &ae):
			r.State = notTested(errNeedClientCert + "; " + why)
		case errors.As(err, &ae) && ae.Alert.Description == 40:
			r.State = notTested("the renegotiation client needs an AEAD suite (AES-GCM or ChaCha20-Poly1305) with ECDHE on x25519, P-256, P-384 or P-521, DHE or RSA key exchange; " + why)
		default:
			r.State = unresolved(why)
		}
		return r, 0, err
	}
	r.State = observed()
	for r.Succeeded < r.Attempts {
		deadline()
		c.rr.read = 0 // the byte bound applies per handshake
		err := c.handshake(c.clientVerify)
		if err == nil {
			r.Succeeded++
			continue
		}
		var ae *alertError
		switch {
		case errors.As(err, &ae):
			r.Refusal = ae.Alert.String()
		case errors.Is(err, errRenegIgnored):
			r.Refusal = "no answer within the deadline (renegotiation ignored)"
		default:
			r.Refusal = err.Error()
		}
		break
	}
	switch {
	case r.Succeeded == 0:
		r.Outcome = "refused"
	case r.Succeeded > renegotiationLimit:
		r.Outcome = "unlimited"
	case r.Succeeded < r.Attempts:
		r.Outcome = "limited"
	default:
		r.Outcome = "allowed"
		r.LimitNotTested = fmt.Sprintf("%d of %d renegotiations succeeded; telling limited (at most %d per connection) from unlimited takes %d on one connection, a renegotiation flood that runs only with limits.dos_probes",
			r.Succeeded, r.Attempts, renegotiationLimit, RenegotiationLimitProbe)
	}
	p.Outcome = "full-handshake"
	p.Answer = fmt.Sprintf("%d of %d renegotiations succeeded; %s", r.Succeeded, r.Attempts, r.Refusal)
	return r, 0, nil
}

var errRenegIgnored = errors.New("server did not answer the renegotiation ClientHello")

// tls12Client is the minimal TLS 1.2 client state.
type tls12Client struct {
	conn net.Conn
	rr   *recordReader
	s    *scanner

	read, write *aeadState
	hsBuf       []byte
	// certRequested: the server sent a CertificateRequest.
	certRequested bool
	clientVerify  []byte
	serverVerify  []byte
}

// aeadState is one direction's record protection (RFC 5288, RFC 7905).
type aeadState struct {
	aead     cipher.AEAD
	iv       []byte // 4-byte salt (GCM) or 12-byte IV (ChaCha20)
	seq      uint64
	explicit bool
}

func (a *aeadState) nonce() []byte {
	if a.explicit {
		n := make([]byte, 12)
		copy(n, a.iv)
		binary.BigEndian.PutUint64(n[4:], a.seq)
		return n
	}
	n := slices.Clone(a.iv)
	for i := range 8 {
		n[11-i] ^= byte(a.seq >> (8 * i))
	}
	return n
}

func additional(seq uint64, typ uint8, n int) []byte {
	ad := binary.BigEndian.AppendUint64(nil, seq)
	return append(ad, typ, 3, 3, byte(n>>8), byte(n))
}

func (c *tls12Client) writeRecord(typ uint8, payload []byte) error {
	rec := payload
	if w := c.write; w != nil {
		nonce := w.nonce()
		sealed := w.aead.Seal(nil, nonce, payload, additional(w.seq, typ, len(payload)))
		if w.explicit {
			rec = append(slices.Clone(nonce[4:]), sealed...)
		} else {
			rec = sealed
		}
		w.seq++
	}
	_, err := c.conn.Write(appendRecords(nil, typ, VersionTLS12, rec))
	if err != nil {
		return wrapErr("write record", err)
	}
	return nil
}

// readRecord returns the next record, decrypted once the server sent
// ChangeCipherSpec.
func (c *tls12Client) readRecord() (uint8, []byte, error) {
	typ, payload, err := c.rr.readRecord()
	if err != nil {
		return 0, nil, err
	}
	if r := c.read; r != nil && typ != recordChangeCipherSpec {
		if r.explicit {
			if len(payload) < 8 {
				return 0, nil, protoErr("decrypt record", "record shorter than its explicit nonce")
			}
			n := make([]byte, 12)
			copy(n, r.iv[:4])
			copy(n[4:], payload[:8])
			payload = payload[8:]
			plain, err := r.aead.Open(nil, n, payload, additional(r.seq, typ, len(payload)-r.aead.Overhead()))
			if err != nil {
				return 0, nil, protoErr("decrypt record", "bad record MAC")
			}
			r.seq++
			return typ, plain, nil
		}
		plain, err := r.aead.Open(nil, r.nonce(), payload, additional(r.seq, typ, len(payload)-r.aead.Overhead()))
		if err != nil {
			return 0, nil, protoErr("decrypt record", "bad record MAC")
		}
		r.seq++
		return typ, plain, nil
	}
	return typ, payload, nil
}

// readHandshake returns the next handshake message; alerts become
// *alertError (warning no_renegotiation included).
func (c *tls12Client) readHandshake(wantCCS bool) ([]byte, error) {
	for {
		if len(c.hsBuf) >= 4 {
			n := int(c.hsBuf[1])<<16 | int(c.hsBuf[2])<<8 | int(c.hsBuf[3])
			if n > maxHandshakeMsg {
				return nil, &Error{Kind: KindTooLarge, Op: "read handshake", Err: fmt.Errorf("message of %d bytes", n)}
			}
			if len(c.hsBuf) >= 4+n {
				msg := c.hsBuf[: 4+n : 4+n]
				c.hsBuf = c.hsBuf[4+n:]
				return msg, nil
			}
		}
		typ, payload, err := c.readRecord()
		if err != nil {
			return nil, err
		}
		switch typ {
		case recordHandshake:
			c.hsBuf = append(c.hsBuf, payload...)
		case recordAlert:
			if len(payload) < 2 {
				return nil, protoErr("read alert", "short alert")
			}
			if warningToSkip(payload) {
				continue
			}
			return nil, &alertError{Alert{payload[0], payload[1]}}
		case recordChangeCipherSpec:
			if wantCCS {
				return nil, errCCS
			}
			return nil, protoErr("read handshake", "unexpected ChangeCipherSpec")
		default:
			return nil, protoErr("read handshake", "unexpected record type %d", typ)
		}
	}
}

var errCCS = errors.New("ChangeCipherSpec")

// handshake runs one full TLS 1.2 handshake; renegotiated carries the
// previous client verify_data for renegotiation_info (RFC 5746 3.5).
func (c *tls12Client) handshake(renegotiated []byte) error {
	h := defaultHello(VersionTLS12, serverName(c.s.t), renegSuites)
	// P-224 last, only so a server with a P-224 certificate (which it
	// checks against supported_groups, RFC 8422 5.1) lets the client in;
	// its ECDHE picks one of the others first.
	h.Groups = []uint16{0x001D, 0x0017, 0x0018, 0x0019, 0x0015}
	h.SigSchemes = defaultSigSchemes
	h.StatusRequest, h.EMS, h.RenegInfo = false, false, false
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	ch, err := clientHello12(h, random, renegotiated)
	if err != nil {
		return err
	}
	transcript := slices.Clone(ch)
	if err := c.writeRecord(recordHandshake, ch); err != nil {
		return err
	}
	msg, err := c.readHandshake(false)
	if err != nil {
		if renegotiated != nil && KindOf(err) == KindTimeout {
			return errRenegIgnored
		}
		return err
	}
	sh, err := parseServerHello(msg)
	if err != nil {
		return err
	}
	if sh.Version != VersionTLS12 || !slices.Contains(renegSuites, sh.Suite) {
		return protoErr("renegotiation handshake", "server chose %s suite 0x%04x", VersionName(sh.Version), sh.Suite)
	}
	transcript = append(transcript, msg...)
	suite, _ := LookupSuite(sh.Suite)
	var ske *serverKeyExchange
	var serverCert []byte
	certRequested := false
	for {
		msg, err := c.readHandshake(false)
		if err != nil {
			return err
		}
		transcript = append(transcript, msg...)
		if msg[0] == hsCertificate {
			if certs, err := parseCertificateList(msg[4:]); err == nil && len(certs) > 0 {
				serverCert = certs[0]
			}
		}
		if msg[0] == hsServerKeyExchange {
			if ske, err = parseServerKeyExchange(msg[4:], suite, VersionTLS12); err != nil {
				return err
			}
		}
		if msg[0] == hsCertificateRequest {
			certRequested = true
			c.certRequested = true
		}
		if msg[0] == hsServerHelloDone {
			break
		}
	}
	pub, pms, err := clientKeyExchange(suite, ske, serverCert)
	if err != nil {
		return err
	}
	var out []byte
	var signer crypto.Signer
	if certRequested {
		cert := hsMessage(hsCertificate, func(b *cryptobyte.Builder) {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
				if cc := c.s.t.ClientCert; cc != nil {
					for _, d := range cc.Certificate {
						b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(d) })
					}
					signer, _ = cc.PrivateKey.(crypto.Signer)
				}
			})
		})
		out = append(out, cert...)
		transcript = append(transcript, cert...)
	}
	cke := hsMessage(hsClientKeyExchange, func(b *cryptobyte.Builder) {
		if suite.Kx == "ECDH" {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(pub) })
		} else { // DH public value or RSA-encrypted premaster (RFC 5246 7.4.7)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(pub) })
		}
	})
	out = append(out, cke...)
	transcript = append(transcript, cke...)
	if signer != nil {
		cv, err := certificateVerify(signer, transcript)
		if err != nil {
			return err
		}
		out = append(out, cv...)
		transcript = append(transcript, cv...)
	}
	newHash := sha256.New
	if slices.Contains(sha384Suites, sh.Suite) {
		newHash = sha512.New384
	}
	master := prf12(newHash, pms, "master secret", append(slices.Clone(random), sh.Random...), 48)
	clientW, serverW, err := keys12(sh.Suite, newHash, master, random, sh.Random)
	if err != nil {
		return err
	}
	if err := c.writeRecord(recordHandshake, out); err != nil {
		return err
	}
	if err := c.writeRecord(recordChangeCipherSpec, []byte{1}); err != nil {
		return err
	}
	c.write = clientW
	th := newHash()
	th.Write(transcript)
	clientVerify := prf12(newHash, master, "client finished", th.Sum(nil), 12)
	fin := hsMessage(hsFinished, func(b *cryptobyte.Builder) { b.AddBytes(clientVerify) })
	transcript = append(transcript, fin...)
	if err := c.writeRecord(recordHandshake, fin); err != nil {
		return err
	}
	// Server: [NewSessionTicket] ChangeCipherSpec Finished.
	for {
		_, err := c.readHandshake(true)
		if errors.Is(err, errCCS) {
			break
		}
		if err != nil {
			return err
		}
	}
	c.read = serverW
	msg, err = c.readHandshake(false)
	if err != nil {
		return err
	}
	th = newHash()
	th.Write(transcript)
	want := prf12(newHash, master, "server finished", th.Sum(nil), 12)
	if msg[0] != hsFinished || !hmac.Equal(msg[4:], want) {
		return protoErr("renegotiation handshake", "server Finished does not verify (RFC 5246 7.4.9)")
	}
	c.clientVerify, c.serverVerify = clientVerify, msg[4:]
	return nil
}

func hsMessage(typ uint8, body func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddUint8(typ)
	b.AddUint24LengthPrefixed(body)
	return b.BytesOrPanic() // bodies here are small and well-formed
}

// clientHello12 is a TLS 1.2 ClientHello with renegotiation_info carrying
// the previous verify_data (empty on the first handshake).
func clientHello12(h helloSpec, random, renegotiated []byte) ([]byte, error) {
	exts, err := h.extensions()
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddUint8(hsClientHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(VersionTLS12)
		b.AddBytes(random)
		b.AddUint8(0)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range h.Suites {
				b.AddUint16(s)
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(exts)
			b.AddUint16(extRenegotiation)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(renegotiated) })
			})
		})
	})
	return b.Bytes()
}

// clientKeyExchange makes the client's key-exchange value and the premaster
// secret for the suite's key exchange.
func clientKeyExchange(suite Suite, ske *serverKeyExchange, serverCert []byte) (pub, pms []byte, err error) {
	switch suite.Kx {
	case "ECDH":
		if ske == nil || ske.CurveType != 3 {
			return nil, nil, protoErr("renegotiation handshake", "no named-curve ServerKeyExchange")
		}
		return ecdhe(ske.Curve, ske)
	case "DH":
		if ske == nil || len(ske.P) == 0 || len(ske.Ys) == 0 {
			return nil, nil, protoErr("renegotiation handshake", "no DHE ServerKeyExchange")
		}
		return dhe(ske)
	case "RSA":
		return rsaKeyTransport(serverCert)
	}
	return nil, nil, protoErr("renegotiation handshake", "key exchange %s is not implemented", suite.Kx)
}

// dhe computes the client's DH value and the premaster secret, leading
// zeros stripped (RFC 5246 8.1.2).
func dhe(ske *serverKeyExchange) (pub, pms []byte, err error) {
	p, g, ys := new(big.Int).SetBytes(ske.P), new(big.Int).SetBytes(ske.G), new(big.Int).SetBytes(ske.Ys)
	one := big.NewInt(1)
	if p.BitLen() < 512 || ys.Cmp(one) <= 0 || ys.Cmp(new(big.Int).Sub(p, one)) >= 0 {
		return nil, nil, protoErr("renegotiation handshake", "unusable DHE parameters")
	}
	x, err := rand.Int(rand.Reader, new(big.Int).Sub(p, big.NewInt(2)))
	if err != nil {
		return nil, nil, err
	}
	x.Add(x, one)
	return new(big.Int).Exp(g, x, p).Bytes(), new(big.Int).Exp(ys, x, p).Bytes(), nil
}

// rsaKeyTransport encrypts a fresh premaster secret (client_version first,
// RFC 5246 7.4.7.1) to the server certificate's RSA key.
func rsaKeyTransport(certDER []byte) (pub, pms []byte, err error) {
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, nil, protoErr("renegotiation handshake", "server certificate: %v", err)
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, protoErr("renegotiation handshake", "static RSA suite with a %T key", cert.PublicKey)
	}
	pms = make([]byte, 48)
	if _, err := rand.Read(pms[2:]); err != nil {
		return nil, nil, err
	}
	pms[0], pms[1] = 3, 3
	pub, err = rsa.EncryptPKCS1v15(rand.Reader, key, pms)
	return pub, pms, err
}

// ecdhe makes the client key pair on the server's curve and the premaster
// secret (RFC 8422 5.10: the x-coordinate, or the X25519 output).
func ecdhe(group uint16, ske *serverKeyExchange) (pub, pms []byte, err error) {
	curve := ecdhCurve(group)
	if curve == nil {
		return nil, nil, protoErr("renegotiation handshake", "server chose unsupported curve 0x%04x", group)
	}
	if ske.Point == nil {
		return nil, nil, protoErr("renegotiation handshake", "no server ECDH point")
	}
	peer, err := curve.NewPublicKey(ske.Point)
	if err != nil {
		return nil, nil, protoErr("renegotiation handshake", "bad server ECDH point: %v", err)
	}
	k, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	pms, err = k.ECDH(peer)
	if err != nil {
		return nil, nil, protoErr("renegotiation handshake", "ECDH: %v", err)
	}
	return k.PublicKey().Bytes(), pms, nil
}

func certificateVerify(signer crypto.Signer, transcript []byte) ([]byte, error) {
	var scheme uint16
	var digest []byte
	var opts crypto.SignerOpts = crypto.SHA256
	sum := sha256.Sum256(transcript)
	digest = sum[:]
	switch signer.Public().(type) {
	case *ecdsa.PublicKey:
		scheme = 0x0403
	case *rsa.PublicKey:
		scheme = 0x0401
	case ed25519.PublicKey:
		scheme, digest, opts = 0x0807, transcript, crypto.Hash(0)
	default:
		return nil, fmt.Errorf("client key type %T not supported for CertificateVerify", signer.Public())
	}
	sig, err := signer.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, err
	}
	return hsMessage(hsCertificateVerify, func(b *cryptobyte.Builder) {
		b.AddUint16(scheme)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sig) })
	}), nil
}

// prf12 is the TLS 1.2 PRF, P_hash (RFC 5246 5).
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	seed = append([]byte(label), seed...)
	out := make([]byte, 0, n+64)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
	return out[:n]
}

// keys12 derives both directions' record protection (RFC 5246 6.3).
func keys12(suite uint16, h func() hash.Hash, master, clientRandom, serverRandom []byte) (client, server *aeadState, err error) {
	keyLen, ivLen, chacha := 16, 4, false
	switch suite {
	case 0xC030, 0xC02C, 0x009F, 0x00A3, 0x009D:
		keyLen = 32
	case 0xCCA8, 0xCCA9, 0xCCAA:
		keyLen, ivLen, chacha = 32, 12, true
	}
	kb := prf12(h, master, "key expansion", append(slices.Clone(serverRandom), clientRandom...), 2*keyLen+2*ivLen)
	mk := func(key, iv []byte) (*aeadState, error) {
		if chacha {
			a, err := chacha20poly1305.New(key)
			return &aeadState{aead: a, iv: slices.Clone(iv)}, err
		}
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		a, err := cipher.NewGCM(b)
		return &aeadState{aead: a, iv: append(slices.Clone(iv), make([]byte, 8)...), explicit: true}, err
	}
	if client, err = mk(kb[:keyLen], kb[2*keyLen:2*keyLen+ivLen]); err != nil {
		return nil, nil, err
	}
	server, err = mk(kb[keyLen:2*keyLen], kb[2*keyLen+ivLen:])
	return client, server, err
}
