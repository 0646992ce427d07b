package report

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/atomicfile"
	"github.com/go-jose/go-jose/v4"
)

// ManifestSchema names the manifest's payload format.
const ManifestSchema = "apisec.manifest/v2"

// ManifestType is the JWS "typ" of a manifest (RFC 7515 §4.1.9): a
// verifier never mistakes another signed JSON object for one.
const ManifestType = "apisec-manifest+json"

// manifestAlgs are the algorithms a manifest may be signed with.
var manifestAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.PS256, jose.PS384, jose.PS512, jose.RS256}

// Manifest is the signed payload of manifest.json: every file of a result
// folder with its SHA-256, and the key that signed it named by its RFC 7638
// thumbprint. manifest.json itself is a JWS in the flattened JSON
// serialization (RFC 7515 §7.2.2): any JOSE library can check it, and the
// protected header carries the public key (jwk) so a folder can be checked
// for integrity on its own; that it was signed by the operator is only shown
// by checking it against a key or thumbprint the operator published.
type Manifest struct {
	Schema  string          `json:"schema"`
	RunID   string          `json:"run_id"`
	Created time.Time       `json:"created"`
	Signer  ManifestSigner  `json:"signer"`
	Files   []ManifestEntry `json:"files"`
}

// ManifestSigner names the signing key.
type ManifestSigner struct {
	// Thumbprint is the RFC 7638 SHA-256 thumbprint of the public key, base64url.
	Thumbprint string `json:"key_thumbprint"`
	// Origin is KeyOperator (a persistent key: apisec keys init) or KeyPerRun.
	Origin string `json:"origin"`
}

// ManifestEntry is one file's hash.
type ManifestEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// SignManifest hashes every file in dir (but the manifest) and writes the
// manifest signed with a key made for this run only. It returns the key's
// thumbprint.
func SignManifest(dir, runID string) (string, error) {
	s, err := NewRunSigner()
	if err != nil {
		return "", err
	}
	return s.Thumbprint, s.SignFolder(dir, runID)
}

// SignFolder hashes every file in dir (but the manifest) and writes the
// signed manifest.
func (s *Signer) SignFolder(dir, runID string) error {
	files, err := hashFolder(dir)
	if err != nil {
		return err
	}
	m := Manifest{Schema: ManifestSchema, RunID: runID, Created: time.Now().UTC().Truncate(time.Second),
		Signer: ManifestSigner{Thumbprint: s.Thumbprint, Origin: s.Origin}, Files: files}
	payload, err := json.Marshal(m)
	if err != nil {
		return err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: s.alg, Key: jose.JSONWebKey{Key: s.key, Algorithm: string(s.alg)}},
		(&jose.SignerOptions{EmbedJWK: true}).WithType(ManifestType))
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(obj.FullSerialize()), "", "  "); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	out.WriteByte('\n')
	return atomicfile.Write(filepath.Join(dir, ManifestFile), out.Bytes(), 0o644)
}

// Pin is what a verifier trusts to have signed a folder: the operator's
// public key or its thumbprint. The zero Pin checks integrity only.
type Pin struct {
	Key        crypto.PublicKey
	Thumbprint string
}

// Pinned reports whether anything is pinned.
func (p Pin) Pinned() bool { return p.Key != nil || p.Thumbprint != "" }

// Verified describes a folder whose manifest checked out.
type Verified struct {
	RunID      string
	Thumbprint string // of the key that signed
	Origin     string // as the manifest states it
	// Pinned: the signing key is the pinned one. Without a pin a valid
	// manifest proves only that the folder is as its signer left it.
	Pinned bool
}

// Verify checks the manifest with the key it carries and that the folder
// holds exactly the listed files with the listed hashes; it returns the key
// thumbprint. It proves integrity only: see VerifyManifest and VerifyFolder.
func Verify(dir string) (string, error) {
	v, err := VerifyManifest(dir, Pin{})
	return v.Thumbprint, err
}

// VerifyManifest checks manifest.json: a flattened JWS of type
// ManifestType signed by the public key in its header, by the pinned key
// when one is given, over a payload naming that same key; then that the
// folder holds exactly the listed files with the listed hashes. The error
// names the first difference.
func VerifyManifest(dir string, pin Pin) (Verified, error) {
	var v Verified
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return v, fmt.Errorf("verify: %w", err)
	}
	obj, err := jose.ParseSignedJSON(string(raw), manifestAlgs)
	if err != nil {
		return v, fmt.Errorf("verify: %s is not a JWS in JSON serialization (%v); an older apisec wrote it, or it was changed", ManifestFile, err)
	}
	if len(obj.Signatures) != 1 {
		return v, fmt.Errorf("verify: %s must carry exactly one signature", ManifestFile)
	}
	sig := obj.Signatures[0]
	if typ, _ := sig.Protected.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(strings.TrimPrefix(typ, "application/"), ManifestType) {
		return v, fmt.Errorf("verify: %s has type %q, not %s", ManifestFile, typ, ManifestType)
	}
	embedded := sig.Protected.JSONWebKey
	if embedded == nil || !embedded.IsPublic() || !embedded.Valid() {
		return v, fmt.Errorf("verify: %s carries no public key in its protected header", ManifestFile)
	}
	if v.Thumbprint, err = Thumbprint(embedded.Key); err != nil {
		return v, fmt.Errorf("verify: %w", err)
	}
	key := embedded.Key
	switch {
	case pin.Key != nil:
		want, err := Thumbprint(pin.Key)
		if err != nil {
			return v, fmt.Errorf("verify: pinned key: %w", err)
		}
		if want != v.Thumbprint {
			return v, fmt.Errorf("verify: the manifest is signed by key %s, not by the pinned key %s", v.Thumbprint, want)
		}
		key = pin.Key // verify with the key the operator gave, never with the one the folder carries
	case pin.Thumbprint != "":
		if !SameThumbprint(pin.Thumbprint, v.Thumbprint) {
			return v, fmt.Errorf("verify: the manifest is signed by key %s, not by the pinned thumbprint %s", v.Thumbprint, pin.Thumbprint)
		}
	}
	payload, err := obj.Verify(key)
	if err != nil {
		return v, fmt.Errorf("verify: the manifest signature does not verify with key %s", v.Thumbprint)
	}
	v.Pinned = pin.Pinned()
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return v, fmt.Errorf("verify: manifest payload: %v", err)
	}
	if m.Schema != ManifestSchema {
		return v, fmt.Errorf("verify: manifest schema %q unknown (want %s)", m.Schema, ManifestSchema)
	}
	if m.Signer.Thumbprint != v.Thumbprint {
		return v, fmt.Errorf("verify: the manifest names key %s but is signed by key %s", m.Signer.Thumbprint, v.Thumbprint)
	}
	v.RunID, v.Origin = m.RunID, m.Signer.Origin
	got, err := hashFolder(dir)
	if err != nil {
		return v, err
	}
	listed := map[string]ManifestEntry{}
	for _, e := range m.Files {
		listed[e.Path] = e
	}
	for _, e := range got {
		l, ok := listed[e.Path]
		switch {
		case !ok:
			return v, fmt.Errorf("verify: %s is not in the manifest", e.Path)
		case l.SHA256 != e.SHA256 || l.Size != e.Size:
			return v, fmt.Errorf("verify: %s has changed (sha256 %s, manifest says %s)", e.Path, e.SHA256, l.SHA256)
		}
		delete(listed, e.Path)
	}
	if len(listed) > 0 {
		var missing []string
		for p := range listed {
			missing = append(missing, p)
		}
		slices.Sort(missing)
		return v, fmt.Errorf("verify: %s is missing", missing[0])
	}
	return v, nil
}

// VerifyFolder is what `apisec verify` checks: the manifest (VerifyManifest),
// then that results.json's verdicts are the ones its scenario results make
// (Recompute) and that it names the key that signed the folder.
func VerifyFolder(dir string, pin Pin) (Verified, error) {
	v, err := VerifyManifest(dir, pin)
	if err != nil {
		return v, err
	}
	res, err := Read(dir)
	if err != nil {
		return v, fmt.Errorf("verify: %w", err)
	}
	if err := Recompute(res); err != nil {
		return v, fmt.Errorf("verify: %s: %w", ResultsFile, err)
	}
	if res.Run.ManifestKey != "" && res.Run.ManifestKey != v.Thumbprint {
		return v, fmt.Errorf("verify: %s names manifest key %s, but key %s signed the folder", ResultsFile, res.Run.ManifestKey, v.Thumbprint)
	}
	return v, nil
}

func hashFolder(dir string) ([]ManifestEntry, error) {
	var out []ManifestEntry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out = append(out, ManifestEntry{Path: rel, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	slices.SortFunc(out, func(a, b ManifestEntry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}
