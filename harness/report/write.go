package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/atomicfile"
	"github.com/apisec/apisec/harness/evidence"
)

// File names inside a result folder.
const (
	ResultsFile     = "results.json"
	SummaryFile     = "summary.md"
	JUnitFile       = "junit.xml"
	CucumberFile    = "cucumber.json"
	HTMLFile        = "report.html"
	DeclarationFile = "declaration.json"
	ManifestFile    = "manifest.json"
)

// Write creates the result folder with a manifest signed by a key made for
// this run only (WriteSigned). It returns the key's thumbprint.
func Write(dir string, res *Results, items map[string]evidence.Item, cucumber []byte) (string, error) {
	s, err := NewRunSigner()
	if err != nil {
		return "", err
	}
	return s.Thumbprint, WriteSigned(dir, res, items, cucumber, s)
}

// WriteSigned creates the result folder: evidence first, then results.json
// and the renderings (which name the signing key), and the manifest signed
// by s last, each file written atomically.
func WriteSigned(dir string, res *Results, items map[string]evidence.Item, cucumber []byte, s *Signer) error {
	res.Run.ManifestKey, res.Run.ManifestKeyOrigin = s.Thumbprint, s.Origin
	if err := writeFolder(dir, res, items, cucumber); err != nil {
		return err
	}
	return s.SignFolder(dir, res.Run.ID)
}

func writeFolder(dir string, res *Results, items map[string]evidence.Item, cucumber []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	paths := make([]string, 0, len(items))
	for p := range items {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	// Scenarios of one rule often keep the same document (the TLS scan of
	// an endpoint): it is redacted once.
	redacted := map[[sha256.Size]byte][]byte{}
	var files []atomicfile.File
	for _, p := range paths {
		if !safeRelative(p) {
			return fmt.Errorf("report: evidence path %q escapes the result folder", p)
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		body := items[p].Body
		sum := sha256.Sum256(body)
		r, ok := redacted[sum]
		if !ok {
			r = evidence.Redact(body)
			redacted[sum] = r
		}
		files = append(files, atomicfile.File{Path: full, Data: r, Mode: 0o644})
	}
	raw, written, err := asWritten(res)
	if err != nil {
		return err
	}
	files = append(files, atomicfile.File{Path: filepath.Join(dir, ResultsFile), Data: raw, Mode: 0o644})
	if len(cucumber) == 0 {
		cucumber = []byte("[]")
	}
	files = append(files, atomicfile.File{Path: filepath.Join(dir, CucumberFile), Data: evidence.Redact(cucumber), Mode: 0o644})
	rendered, err := renderings(dir, written)
	if err != nil {
		return err
	}
	return atomicfile.WriteAll(append(files, rendered...))
}

// asWritten is res encoded as results.json and read back. The renderings
// are made from it, so they hold only what the redaction let through.
func asWritten(res *Results) ([]byte, *Results, error) {
	raw, err := marshalResults(res)
	if err != nil {
		return nil, nil, err
	}
	var written Results
	if err := json.Unmarshal(raw, &written); err != nil {
		return nil, nil, fmt.Errorf("report: read back %s: %w", ResultsFile, err)
	}
	return raw, &written, nil
}

// marshalResults is the one encoding of results.json; secrets that a finding
// might quote are redacted here too.
func marshalResults(res *Results) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return nil, fmt.Errorf("report: encode results: %w", err)
	}
	return evidence.Redact(b.Bytes()), nil
}

// Read loads results.json from a result folder.
func Read(dir string) (*Results, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var res Results
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("report: %s is not valid: %v", ResultsFile, err)
	}
	if res.Schema != Schema {
		return nil, fmt.Errorf("report: %s has schema %q, this suite reads %q", ResultsFile, res.Schema, Schema)
	}
	return &res, nil
}

// Render writes the human and CI renderings from results alone; rendering is
// deterministic, so re-rendering a folder leaves its manifest valid. res is
// rendered as results.json holds it: redacted.
func Render(dir string, res *Results) error {
	_, written, err := asWritten(res)
	if err != nil {
		return err
	}
	files, err := renderings(dir, written)
	if err != nil {
		return err
	}
	return atomicfile.WriteAll(files)
}

// renderings are summary.md, junit.xml, report.html and declaration.json of
// res, which must already be redacted: every string they show comes from it.
func renderings(dir string, res *Results) ([]atomicfile.File, error) {
	renderers := []struct {
		file   string
		render func(*Results) ([]byte, error)
	}{
		{SummaryFile, Markdown},
		{JUnitFile, JUnit},
		{HTMLFile, HTML},
		{DeclarationFile, ZorgAPIsDeclaration},
	}
	var files []atomicfile.File
	for _, r := range renderers {
		b, err := r.render(res)
		if err != nil {
			return nil, fmt.Errorf("report: render %s: %w", r.file, err)
		}
		files = append(files, atomicfile.File{Path: filepath.Join(dir, r.file), Data: b, Mode: 0o644})
	}
	return files, nil
}

func safeRelative(p string) bool {
	return p != "" && !filepath.IsAbs(p) && !strings.Contains(p, "..") && !strings.HasPrefix(p, "/")
}
