package report

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/apisec/apisec/harness/atomicfile"
	"github.com/go-jose/go-jose/v4"
)

// ManifestSchema names the manifest format.
const ManifestSchema = "apisec.manifest/v1"

// Manifest lists every file of a result folder with its SHA-256. Signature
// is a compact JWS (ES256) over the manifest without the signature, made
// with a key generated for this run only and thrown away; its public half
// is PublicKey. Its thumbprint is printed at the end of the run so a
// certification body can note it and later tell a re-signed folder apart.
type Manifest struct {
	Schema    string          `json:"schema"`
	RunID     string          `json:"run_id"`
	Created   time.Time       `json:"created"`
	PublicKey jose.JSONWebKey `json:"public_key"`
	Files     []ManifestEntry `json:"files"`
	Signature string          `json:"signature,omitempty"`
}

// ManifestEntry is one file's hash.
type ManifestEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// SignManifest hashes every file in dir (but the manifest) and writes the
// signed manifest. It returns the key's RFC 7638 thumbprint.
func SignManifest(dir, runID string) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	files, err := hashFolder(dir)
	if err != nil {
		return "", err
	}
	m := Manifest{Schema: ManifestSchema, RunID: runID, Created: time.Now().UTC().Truncate(time.Second),
		PublicKey: jose.JSONWebKey{Key: key.Public(), Algorithm: string(jose.ES256), Use: "sig"}, Files: files}
	payload, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("apisec-manifest+json"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	if m.Signature, err = obj.CompactSerialize(); err != nil {
		return "", err
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, ManifestFile), append(out, '\n'), 0o644); err != nil {
		return "", err
	}
	return thumbprint(m.PublicKey)
}

func thumbprint(k jose.JSONWebKey) (string, error) {
	t, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(t), nil
}

// Verify checks the manifest's signature with the key it carries and that
// the folder holds exactly the listed files with the listed hashes. It
// returns the key thumbprint, and an error naming the first difference.
func Verify(dir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return "", fmt.Errorf("verify: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("verify: %s is not valid JSON: %v", ManifestFile, err)
	}
	if m.Schema != ManifestSchema {
		return "", fmt.Errorf("verify: manifest schema %q unknown", m.Schema)
	}
	if m.PublicKey.Key == nil || !m.PublicKey.IsPublic() {
		return "", errors.New("verify: manifest carries no public key")
	}
	obj, err := jose.ParseSigned(m.Signature, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return "", fmt.Errorf("verify: manifest signature: %v", err)
	}
	payload, err := obj.Verify(m.PublicKey.Key)
	if err != nil {
		return "", errors.New("verify: manifest signature does not verify with its public key")
	}
	unsigned := m
	unsigned.Signature = ""
	want, err := json.Marshal(unsigned)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(payload, want) {
		return "", errors.New("verify: manifest content differs from what was signed")
	}
	thumb, err := thumbprint(m.PublicKey)
	if err != nil {
		return "", err
	}
	got, err := hashFolder(dir)
	if err != nil {
		return thumb, err
	}
	listed := map[string]ManifestEntry{}
	for _, e := range m.Files {
		listed[e.Path] = e
	}
	for _, e := range got {
		l, ok := listed[e.Path]
		switch {
		case !ok:
			return thumb, fmt.Errorf("verify: %s is not in the manifest", e.Path)
		case l.SHA256 != e.SHA256 || l.Size != e.Size:
			return thumb, fmt.Errorf("verify: %s has changed (sha256 %s, manifest says %s)", e.Path, e.SHA256, l.SHA256)
		}
		delete(listed, e.Path)
	}
	if len(listed) > 0 {
		var missing []string
		for p := range listed {
			missing = append(missing, p)
		}
		slices.Sort(missing)
		return thumb, fmt.Errorf("verify: %s is missing", missing[0])
	}
	return thumb, nil
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
	slices.SortFunc(out, func(a, b ManifestEntry) int {
		if a.Path < b.Path {
			return -1
		}
		if a.Path > b.Path {
			return 1
		}
		return 0
	})
	return out, nil
}
