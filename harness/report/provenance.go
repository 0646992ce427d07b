package report

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/trust"
	"github.com/apisec/apisec/harness/verdict"
)

// Provenance in the renderings (issue 10): which key signs the manifest and
// what verifying it proves, where every trust anchor came from, which TLS
// trust decision rested on a vendor-supplied CA, and TEST declarations.

// SignerLine says which key signs the folder's manifest, for a reader who
// wants to pin it.
func (r *Results) SignerLine() string {
	switch {
	case r.Run.ManifestKey == "":
		return "Manifest key: not recorded (written by an older apisec)."
	case r.Run.ManifestKeyOrigin == KeyOperator:
		return fmt.Sprintf("Manifest signed by the operator key %s. `apisec verify DIR --key OPERATOR.pub.pem` (or `--thumbprint %s`) proves the folder is the operator's and unchanged.", r.Run.ManifestKey, r.Run.ManifestKey)
	default:
		return fmt.Sprintf("Manifest signed by a per-run key %s (no operator key). `apisec verify` then proves integrity only: compare this thumbprint with the one printed at the end of the run.", r.Run.ManifestKey)
	}
}

// testDeclarationRules are the rules attested only through TEST
// declarations, with those declarations' files.
func (r *Results) testDeclarationRules() ([]string, []string) {
	test := map[string]bool{}
	for _, d := range r.Declarations {
		if d.Test && d.Rejected == "" {
			test[d.File] = true
		}
	}
	var rules, files []string
	for _, rr := range r.Rules {
		if rr.Status != verdict.Attested {
			continue
		}
		for _, s := range rr.Scenarios {
			if s.Status == verdict.Attested && test[s.Attestation] {
				rules = append(rules, rr.Rule.ID)
				if !slices.Contains(files, s.Attestation) {
					files = append(files, s.Attestation)
				}
				break
			}
		}
	}
	slices.Sort(files)
	return rules, files
}

// markTestDeclarations keeps declaration.json from publishing a TEST
// declaration as conformity: such a requirement is NOT_EVALUATED with the
// reason, and no ranking level rests on it.
func markTestDeclarations(d *zorgDeclaration, res *Results) {
	rules, files := res.testDeclarationRules()
	if len(rules) == 0 {
		return
	}
	for _, id := range rules {
		rq := d.Requirements[id]
		rq.ConformityType = "NOT_EVALUATED"
		rq.TestDeclaration = true
		rq.Remarks = clip("attested only by a TEST declaration (throw-away key), not a declaration of conformity; "+rq.Remarks, MaxRemarks)
		d.Requirements[id] = rq
	}
	d.TestDeclarations = files
	if d.RankingLevel != "NONE" {
		d.RankingWithheld = fmt.Sprintf("level %s rests on TEST declarations (%s) and is not published", d.RankingLevel, strings.Join(rules, ", "))
		d.RankingLevel = "NONE"
	}
}

// writeProvenance is summary.md's "Provenance" section.
func writeProvenance(b *bytes.Buffer, res *Results) {
	b.WriteString("\n## Provenance\n\n")
	fmt.Fprintf(b, "- %s\n", res.SignerLine())
	if res.Trust == nil {
		b.WriteString("- Trust anchors: not recorded.\n")
		return
	}
	for _, a := range res.Trust.Anchors {
		fmt.Fprintf(b, "- %s\n", anchorText(a))
	}
	for _, n := range res.Trust.Notes {
		fmt.Fprintf(b, "- Note: %s\n", n)
	}
	if rules, _ := res.testDeclarationRules(); len(rules) > 0 {
		fmt.Fprintf(b, "- **TEST declarations** decided %s: not a declaration of conformity (declaration.json: NOT_EVALUATED)\n", strings.Join(rules, ", "))
	}
}

// anchorText describes one anchor in a line.
func anchorText(a trust.Anchor) string {
	var what string
	switch {
	case a.Use == trust.UseTLS && a.Subject != "" && a.Fingerprint == "":
		what = "TLS: " + a.Subject
	case a.Use == trust.UseTLS:
		what = fmt.Sprintf("TLS anchor %q (SHA-256 %s)", a.Subject, short(a.Fingerprint))
	default:
		what = fmt.Sprintf("%s role key (thumbprint %s)", strings.TrimPrefix(a.Use, trust.UseRolePrefix), short(a.Fingerprint))
	}
	s := fmt.Sprintf("%s — from %s", what, a.Source)
	if a.File != "" {
		s += " (" + a.File + ")"
	}
	if len(a.Decided) > 0 {
		s += "; decided TLS trust of " + strings.Join(a.Decided, ", ")
		if a.Vendor() {
			s += " — TRUST RESTED ON A VENDOR-SUPPLIED PRIVATE CA"
		}
	}
	return s
}

func short(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// The report.html parts, associated with the page template.
var _ = template.Must(pageTemplate.New("signer").Parse(`<br>{{.SignerLine}}`))

var _ = template.Must(pageTemplate.New("provenance").Funcs(template.FuncMap{"anchor": anchorText}).Parse(`
<h2>Provenance</h2>
<p>{{.SignerLine}}</p>
{{with .Trust}}<ul>{{range .Anchors}}<li{{if and .Vendor .Decided}} class="fail"{{end}}>{{anchor .}}</li>{{end}}
{{range .Notes}}<li>Note: {{.}}</li>{{end}}</ul>{{else}}<p>Trust anchors: not recorded.</p>{{end}}
`))
