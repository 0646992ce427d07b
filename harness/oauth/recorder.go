package oauth

import (
	"context"
	"crypto"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apisec/apisec/harness/jose"
	gojose "github.com/go-jose/go-jose/v4"
)

// Recorder is the suite's own small HTTP server on loopback (or the
// profile's jwks_listen address): it serves the suite's client JWKS for
// targets that fetch client keys by jwks_uri, and one-off jku/x5u URLs whose
// fetches it records, so a probe can tell whether the target followed a
// URL from a token header (RFC 8725 §3.10, SSRF).
type Recorder struct {
	srv  *http.Server
	ln   net.Listener
	base string

	mu         sync.Mutex
	routes     map[string]route
	hits       map[string]int
	clientJWKS []byte
	seq        int
}

type route struct {
	contentType string
	body        []byte
}

// StartRecorder listens on addr ("" means 127.0.0.1:0). public, when set,
// is the recorder's base URL as the target reaches it (profile
// oauth.callback_url); the URLs it hands out start with it. Close stops it.
func StartRecorder(addr, public string) (*Recorder, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("oauth: recorder: %w", err)
	}
	r := &Recorder{ln: ln, routes: map[string]route{}, hits: map[string]int{}, clientJWKS: []byte(`{"keys":[]}`)}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	r.base = "http://" + net.JoinHostPort(host, port)
	if public != "" {
		r.base = strings.TrimSuffix(public, "/")
	}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// Base is the recorder's URL, e.g. http://127.0.0.1:41234.
func (r *Recorder) Base() string { return r.base }

// ClientJWKSURL is where the suite's client JWKS is served.
func (r *Recorder) ClientJWKSURL() string { return r.base + "/jwks.json" }

// ServeHTTP records the hit and serves the registered body; any other path
// gets the client JWKS (the target may have registered any path).
func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.hits[req.URL.Path]++
	rt, ok := r.routes[req.URL.Path]
	if !ok {
		rt = route{"application/json", r.clientJWKS}
	}
	r.mu.Unlock()
	w.Header().Set("Content-Type", rt.contentType)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(rt.body)
}

// SetClientJWKS publishes the public keys the target may fetch.
func (r *Recorder) SetClientJWKS(keys ...jose.Key) error {
	set := gojose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, gojose.JSONWebKey{Key: k.Signer.Public(), KeyID: k.KID, Algorithm: k.Alg, Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.clientJWKS = b
	r.mu.Unlock()
	return nil
}

// JKU registers a fresh path serving a JWKS with pub under kid and returns
// its URL.
func (r *Recorder) JKU(kid string, pub crypto.PublicKey) (string, error) {
	b, err := json.Marshal(gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{{Key: pub, KeyID: kid, Use: "sig"}}})
	if err != nil {
		return "", err
	}
	return r.register("jku", route{"application/json", b}), nil
}

// X5U registers a fresh path serving the PEM certificate and returns its URL.
func (r *Recorder) X5U(certDER []byte) string {
	return r.register("x5u", route{"application/pem-certificate-chain", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})})
}

func (r *Recorder) register(kind string, rt route) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	path := fmt.Sprintf("/%s/%d-%s", kind, r.seq, strings.ToLower(jose.NewJTI()[:10]))
	r.routes[path] = rt
	return r.base + path
}

// Hits is how often the target fetched the URL.
func (r *Recorder) Hits(url string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[strings.TrimPrefix(url, r.base)]
}

// Close stops the server and waits for it (bounded).
func (r *Recorder) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
