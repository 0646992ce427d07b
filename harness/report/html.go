package report

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
)

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"cell":   func(r verdict.RuleResult, l catalogue.Level) string { return cell(r, l) },
	"levels": func() []catalogue.Level { return catalogue.Levels },
	"join":   strings.Join,
	"bad": func(s verdict.Status) bool {
		return s == verdict.Fail || s == verdict.Warn || s == verdict.Error
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apisec — {{.Target.Name}} — {{.AchievedLevel}}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{margin-bottom:.2rem}.level{font-size:1.6rem;padding:.6rem 1rem;border-radius:.4rem;display:inline-block;margin:.6rem 0}
.achieved{background:#dff3e3}.not_achieved{background:#fbe0e0}.incomplete{background:#fff1cc}.not_assessed{background:#e8e8f4}
.sev{font-size:.8em;padding:0 .3rem;border-radius:.2rem;background:#eee}.sev.critical{background:#b00;color:#fff}.sev.high{background:#e55;color:#fff}.sev.medium{background:#f2a33a}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.pass,.attested{background:#e6f5e9}.fail{background:#f9d6d6}.warn{background:#fff0c2}
.error{background:#ffe0b3}.not_applicable,.na{color:#777}code{font-size:.9em}.finding{margin:.6rem 0;padding:.5rem .8rem;border-left:4px solid #c33;background:#fafafa}
.finding.warn{border-color:#d9a400}.finding.error{border-color:#e07b00}dt{font-weight:600}dd{margin:0 0 .3rem 1rem}.test{color:#a05a00;font-weight:600}
</style></head><body>
<h1>apisec: {{.Target.Name}}</h1>
<div class="level {{.Outcome}}">{{if eq .Scope.Kind "partial"}}<strong>Partial run</strong> — {{end}}Achieved level: <strong>{{.AchievedLevel}}</strong> — claimed {{.ClaimedLevel}}: {{.Outcome}}{{with .LevelsNotAssessed}}; not assessed: {{join . ", "}}{{end}} (exit {{.ExitCode}})</div>
<p>Target <code>{{.Target.BaseURL}}</code> ({{join .Target.Interfaces ", "}}){{if .Target.Reference}} — embedded reference target, defects: {{if .Target.Defects}}{{join .Target.Defects ", "}}{{else}}none{{end}}{{end}}.<br>
Run <code>{{.Run.ID}}</code>, {{.Run.Started.Format "2006-01-02 15:04:05Z07:00"}}, {{.Run.DurationMS}} ms, {{.Run.Requests}} requests/handshakes, suite {{.Run.SuiteVersion}}, NCSC TLS edition {{.Run.TLSEdition}}.{{template "signer" .}}
{{if eq .Scope.Kind "partial"}}<br><strong>Partial run:</strong> assessed {{join .Scope.Selected ", "}}; a level that needs a rule it left out is not assessed.
<br><small>Not run: {{range $i, $n := .Scope.NotRun}}{{if $i}}; {{end}}{{$n.Rule}} ({{$n.Reason}}){{end}}</small>{{end}}</p>

<h2>Failures first</h2>
{{with .Findings}}{{range .}}<div class="finding {{.Scenario.Status}}"><strong>{{.Scenario.Status}}</strong>{{with .Scenario.Severity}} <span class="sev {{.}}">{{.}}</span>{{end}} · <a href="#{{.Rule.ID}}">{{.Rule.ID}}</a> · {{.Scenario.Name}}
{{with .Scenario.Finding}}<dl>{{if .Probe}}<dt>probe</dt><dd>{{.Probe}}</dd>{{end}}{{if .Expected}}<dt>expected</dt><dd>{{.Expected}}{{if .Clause}} ({{.Clause}}){{end}}</dd>{{end}}{{if .Got}}<dt>got</dt><dd>{{.Got}}</dd>{{end}}{{if .Reason}}<dt>reason</dt><dd>{{.Reason}}</dd>{{end}}</dl>{{end}}
{{range .Scenario.Evidence}}<a href="{{.}}">{{.}}</a><br>{{end}}</div>
{{end}}{{else}}<p>None: no scenario failed, warned or could not be tested.</p>{{end}}

<h2>Levels</h2>
<table><tr><th>level</th><th>outcome</th><th>failed MUST rules</th><th>untested MUST rules</th><th>MUST rules not assessed</th></tr>
{{range .Levels}}<tr class="{{.Outcome}}"><td>{{.Level}}</td><td>{{.Outcome}}</td><td>{{join .Blocking ", "}}</td><td>{{join .Untested ", "}}</td><td>{{join .NotAssessed ", "}}</td></tr>
{{end}}</table>

<h2>Rules × levels</h2>
<table><tr><th>rule</th><th>title</th><th></th><th>role</th>{{range levels}}<th>{{.}}</th>{{end}}<th>scenarios</th><th>automation</th></tr>
{{range $r := .Rules}}<tr><td><a href="#{{$r.Rule.ID}}">{{$r.Rule.ID}}</a></td><td>{{$r.Rule.Title}}</td><td>{{$r.Rule.Normative}}</td><td>{{$r.Rule.Role}}</td>
{{range levels}}{{$c := cell $r .}}<td class="{{if eq $c "—"}}na{{else}}{{$c}}{{end}}">{{$c}}</td>{{end}}<td>{{$r.CountsText}}</td><td>{{$r.Rule.Automation}}{{if $r.Rule.Reason}}: {{$r.Rule.Reason}}{{end}}</td></tr>
{{end}}</table>

<h2>Roles</h2>
<table><tr><th>role</th><th>status</th><th>rules</th><th>failing</th><th>warnings</th></tr>
{{range .Roles}}<tr class="{{.Status}}"><td>{{.Role.Title}}</td><td>{{.Status}}</td><td>{{join .Rules ", "}}</td><td>{{join .Failing ", "}}</td><td>{{join .Warning ", "}}</td></tr>{{end}}</table>

<h2>Scenarios per rule</h2>
{{range $r := .Rules}}<details id="{{$r.Rule.ID}}"{{if eq $r.Status.String "fail"}} open{{end}}><summary><strong>{{$r.Rule.ID}}</strong> — <span class="{{$r.Status}}">{{$r.Status}}</span> — {{$r.CountsText}}</summary>
{{if $r.Reason}}<p>{{$r.Reason}}</p>{{end}}
{{range $r.Scenarios}}{{if bad .Status}}<div class="finding {{.Status}}"><strong>{{.Status}}</strong>{{with .Severity}} <span class="sev {{.}}">{{.}}</span>{{end}}: {{.Name}}
{{with .Finding}}<dl>{{if .Probe}}<dt>probe</dt><dd>{{.Probe}}</dd>{{end}}{{if .Expected}}<dt>expected</dt><dd>{{.Expected}}{{if .Clause}} ({{.Clause}}){{end}}</dd>{{end}}{{if .Got}}<dt>got</dt><dd>{{.Got}}</dd>{{end}}{{if .Reason}}<dt>reason</dt><dd>{{.Reason}}</dd>{{end}}</dl>{{end}}
{{range .Evidence}}<a href="{{.}}">{{.}}</a><br>{{end}}</div>
{{else}}<div>{{.Status}}: {{.Name}}{{if .Attestation}} (declaration {{.Attestation}}){{end}}{{range .Notes}}<br><small>{{.}}</small>{{end}}{{range .Evidence}} <a href="{{.}}">evidence</a>{{end}}</div>{{end}}
{{end}}</details>{{end}}

<h2>Declarations</h2>
{{if not .Declarations}}<p>None in the profile.</p>{{end}}
<ul>{{range .Declarations}}<li><code>{{.File}}</code> — {{if .Rejected}}<strong>rejected</strong>: {{.Rejected}}{{else}}{{.Statement.Role}} for {{join .Statement.Rules ", "}} by {{.Statement.Declarant}}{{if .Test}} <span class="test">TEST declaration (throw-away key): not a declaration of conformity</span>{{end}}: valid until {{.Statement.ExpiresAt.Format "2006-01-02"}}{{end}}</li>{{end}}</ul>
{{template "provenance" .}}
</body></html>
`))

// HTML renders report.html, one self-contained page.
func HTML(res *Results) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, res); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
