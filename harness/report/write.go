package report

import (
	"bytes"
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
	for _, p := range paths {
		if !safeRelative(p) {
			return fmt.Errorf("report: evidence path %q escapes the result folder", p)
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := atomicfile.Write(full, evidence.Redact(items[p].Body), 0o644); err != nil {
			return err
		}
	}
	raw, err := marshalResults(res)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, ResultsFile), raw, 0o644); err != nil {
		return err
	}
	if len(cucumber) == 0 {
		cucumber = []byte("[]")
	}
	if err := atomicfile.Write(filepath.Join(dir, CucumberFile), evidence.Redact(cucumber), 0o644); err != nil {
		return err
	}
	if err := Render(dir, res); err != nil {
		return err
	}
	return nil
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
// deterministic, so re-rendering a folder leaves its manifest valid.
func Render(dir string, res *Results) error {
	renderers := []struct {
		file   string
		render func(*Results) ([]byte, error)
	}{
		{SummaryFile, Markdown},
		{JUnitFile, JUnit},
		{HTMLFile, HTML},
		{DeclarationFile, ZorgAPIsDeclaration},
	}
	for _, r := range renderers {
		b, err := r.render(res)
		if err != nil {
			return fmt.Errorf("report: render %s: %w", r.file, err)
		}
		if err := atomicfile.Write(filepath.Join(dir, r.file), evidence.Redact(b), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func safeRelative(p string) bool {
	return p != "" && !filepath.IsAbs(p) && !strings.Contains(p, "..") && !strings.HasPrefix(p, "/")
}
