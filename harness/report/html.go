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
	"bar":     statusBar,
	"gotList": gotList,
	"head":    func(items []string) []string { return items[:min(len(items), listShown)] },
	"tail":    func(items []string) []string { return items[min(len(items), listShown):] },
	"chips":   headerChips,
	"notRun":  notRunGroups,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apisec — {{.Target.Name}} — {{.AchievedLevel}}</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:1rem auto;max-width:76rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.35rem;margin:0 0 .4rem}h2{font-size:1.15rem;margin:1rem 0 .4rem}
dd,.ev a,.meta{overflow-wrap:anywhere}td:first-child{white-space:nowrap}
.verdict{display:flex;gap:1rem;align-items:center;padding:.5rem .9rem;border-radius:.4rem;margin:.3rem 0}
.verdict .lvl{text-align:center;min-width:7rem;white-space:nowrap}.verdict .lvl small{display:block;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em}
.verdict .lvl b{font-size:2rem;line-height:1.1}.verdict p{margin:.15rem 0}#verdict{font-size:1.1rem;font-weight:600}
.achieved{background:#dff3e3}.not_achieved{background:#fbe0e0}.incomplete{background:#fff1cc}.not_assessed{background:#e8e8f4}
.chips .lbl{font-weight:600;margin-right:.3rem}.chip{display:inline-block;padding:0 .45rem;margin:.1rem .15rem;border-radius:.8rem;text-decoration:none;font-weight:600;color:#1b1b1b;border:1px solid #999;background:#fff}
.chip.fail{background:#d33a3a;border-color:#d33a3a;color:#fff}.chip.warn{background:#ffe9a8;border-color:#e3b505}.chip.error{background:#ffe0b3;border-color:#e8890c}
.meta{font-size:.85rem;color:#333;margin:.3rem 0}
.sev{font-size:.8em;padding:0 .3rem;border-radius:.2rem;background:#eee}.sev.critical{background:#b00;color:#fff}.sev.high{background:#e55;color:#fff}.sev.medium{background:#f2a33a}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.pass,.attested{background:#e6f5e9}.fail{background:#f9d6d6}.warn{background:#fff0c2}
.error{background:#ffe0b3}.not_applicable,.na{color:#777}code{font-size:.9em}
.finding{margin:.45rem 0;padding:.35rem .7rem;border-left:4px solid #c33;background:#fafafa}.finding.warn{border-color:#d9a400}.finding.error{border-color:#e07b00}
.finding dl{display:grid;grid-template-columns:5.5rem 1fr;gap:0 .6rem;margin:.2rem 0}.finding dt{font-weight:600;color:#555}.finding dd{margin:0}
.finding ul{margin:0;padding-left:1.1rem}.finding .ev{font-size:.9rem}
.bar{display:block;margin:.15rem 0}summary .bar{display:inline;vertical-align:middle;margin:0 .4rem 0 0}.counts{font-size:.85rem}.test{color:#a05a00;font-weight:600}
</style></head><body>
<header>
<h1>apisec: {{.Target.Name}}</h1>
<div class="verdict {{.Outcome}}"><div class="lvl"><small>achieved level</small><b>{{.AchievedLevel}}</b></div><div>
<p id="verdict">{{.Headline}}</p>
{{- $chips := chips .}}
{{with $chips.Failed}}<p class="chips" id="failed-rules"><span class="lbl">Failed MUST rules:</span>{{range .}} <a class="chip fail" href="#{{.ID}}" title="{{.Counts}}">{{.ID}}</a>{{end}}</p>{{end}}
{{with $chips.Warned}}<p class="chips" id="warned-rules"><span class="lbl">Warnings:</span>{{range .}} <a class="chip warn" href="#{{.ID}}" title="{{.Counts}}">{{.ID}}</a>{{end}}</p>{{end}}
{{with $chips.Untested}}<p class="chips" id="untested-rules"><span class="lbl">Could not test (some scenarios):</span>{{range .}} <a class="chip error" href="#{{.ID}}" title="{{.Counts}}">{{.ID}}</a>{{end}}</p>{{end}}
{{with $chips.Test}}<p class="chips" id="test-declarations"><span class="lbl">Attested only by TEST declarations (throw-away keys, not a declaration of conformity):</span>{{range .}} <a class="chip" href="#{{.ID}}" title="{{.Counts}}">{{.ID}}</a>{{end}}</p>{{end}}
</div></div>
<p class="meta">Target <code>{{.Target.BaseURL}}</code> ({{join .Target.Interfaces ", "}}){{if .Target.Reference}} — embedded reference target, defects: {{if .Target.Defects}}{{join .Target.Defects ", "}}{{else}}none{{end}}{{end}}.<br>
Run <code>{{.Run.ID}}</code>, {{.Run.Started.Format "2006-01-02 15:04:05Z07:00"}}, {{.Run.DurationMS}} ms, {{.Run.Requests}} requests/handshakes, suite {{.Run.SuiteVersion}}, NCSC TLS edition {{.Run.TLSEdition}}.{{template "signer" .}}
{{if eq .Scope.Kind "partial"}}<br><strong>Partial run</strong>: assessed {{join .Scope.Selected ", "}}; a level that needs a rule it left out is not assessed.
{{range notRun .Scope}}<br>Not run, {{.Reason}}: {{join .Rules ", "}}{{end}}{{end}}</p>
</header>

<section id="failures"><h2>Failures first{{with $chips.Findings}} <small>({{.}})</small>{{end}}</h2>
{{with .Findings}}{{range .}}<div class="finding {{.Scenario.Status}}"><strong>{{.Scenario.Status}}</strong>{{with .Scenario.Severity}} <span class="sev {{.}}">{{.}}</span>{{end}} · <a href="#{{.Rule.ID}}">{{.Rule.ID}}</a> · {{.Scenario.Name}}
{{template "finding" .Scenario}}</div>
{{end}}{{else}}<p id="failures-none">None: no scenario failed, warned or could not be tested.</p>{{end}}
</section>

<h2 id="levels">Levels</h2>
<table><tr><th>level</th><th>outcome</th><th>failed MUST rules</th><th>untested MUST rules</th><th>MUST rules not assessed</th></tr>
{{range .Levels}}<tr class="{{.Outcome}}"><td>{{.Level}}</td><td>{{.Outcome}}</td><td>{{join .Blocking ", "}}</td><td>{{join .Untested ", "}}</td><td>{{join .NotAssessed ", "}}</td></tr>
{{end}}</table>

<h2 id="rules">Rules × levels</h2>
<table><tr><th>rule</th><th>title</th><th></th><th>role</th>{{range levels}}<th>{{.}}</th>{{end}}<th>scenarios</th><th>automation</th></tr>
{{range $r := .Rules}}<tr><td><a href="#{{$r.Rule.ID}}">{{$r.Rule.ID}}</a></td><td>{{$r.Rule.Title}}</td><td>{{$r.Rule.Normative}}</td><td>{{$r.Rule.Role}}</td>
{{range levels}}{{$c := cell $r .}}<td class="{{if eq $c "—"}}na{{else}}{{$c}}{{end}}">{{$c}}</td>{{end}}<td>{{bar $r}}<span class="counts">{{$r.CountsText}}</span></td><td>{{$r.Rule.Automation}}{{if $r.Rule.Reason}}: {{$r.Rule.Reason}}{{end}}</td></tr>
{{end}}</table>

<h2 id="roles">Roles</h2>
<table><tr><th>role</th><th>status</th><th>rules</th><th>failing</th><th>warnings</th></tr>
{{range .Roles}}<tr class="{{.Status}}"><td>{{.Role.Title}}</td><td>{{.Status}}</td><td>{{join .Rules ", "}}</td><td>{{join .Failing ", "}}</td><td>{{join .Warning ", "}}</td></tr>{{end}}</table>

<h2 id="scenarios">Scenarios per rule</h2>
{{range $r := .Rules}}<details id="{{$r.Rule.ID}}"{{if eq $r.Status.String "fail"}} open{{end}}><summary><strong>{{$r.Rule.ID}}</strong> — <span class="{{$r.Status}}">{{$r.Status}}</span> — {{bar $r}}{{$r.CountsText}}</summary>
{{if $r.Reason}}<p>{{$r.Reason}}</p>{{end}}
{{range $r.Scenarios}}{{if bad .Status}}<div class="finding {{.Status}}"><strong>{{.Status}}</strong>{{with .Severity}} <span class="sev {{.}}">{{.}}</span>{{end}}: {{.Name}}
{{template "finding" .}}</div>
{{else}}<div>{{.Status}}: {{.Name}}{{if .Attestation}} (declaration {{.Attestation}}){{end}}{{range .Notes}}<br><small>{{.}}</small>{{end}}{{range .Evidence}} <a href="{{.}}">evidence</a>{{end}}</div>{{end}}
{{end}}</details>{{end}}

<h2 id="declarations">Declarations</h2>
{{if not .Declarations}}<p>None in the profile.</p>{{end}}
<ul>{{range .Declarations}}<li><code>{{.File}}</code> — {{if .Rejected}}<strong>rejected</strong>: {{.Rejected}}{{else}}{{.Statement.Role}} for {{join .Statement.Rules ", "}} by {{.Statement.Declarant}}{{if .Test}} <span class="test">TEST declaration (throw-away key): not a declaration of conformity</span>{{end}}: valid until {{.Statement.ExpiresAt.Format "2006-01-02"}}{{end}}</li>{{end}}</ul>
{{template "provenance" .}}
</body></html>
`))

// findingTemplate is one finding's probe, expected, got (a list when it
// holds several items) or reason, and its evidence links.
var _ = template.Must(pageTemplate.New("finding").Parse(`{{with .Finding}}<dl>
{{- if .Probe}}<dt>probe</dt><dd>{{.Probe}}</dd>{{end}}
{{- if .Expected}}<dt>expected</dt><dd>{{.Expected}}{{if .Clause}} ({{.Clause}}){{end}}</dd>{{end}}
{{- if .Got}}<dt>got</dt><dd>{{with gotList .}}<ul>{{range head .}}<li>{{.}}</li>{{end}}</ul>{{with tail .}}<details><summary>{{len .}} more</summary><ul>{{range .}}<li>{{.}}</li>{{end}}</ul></details>{{end}}{{else}}{{.Got}}{{end}}</dd>{{end}}
{{- if .Reason}}<dt>reason</dt><dd>{{.Reason}}</dd>{{end}}</dl>{{end}}
{{with .Evidence}}<div class="ev">evidence:{{range $i, $e := .}}{{if $i}} ·{{end}} <a href="{{$e}}">{{$e}}</a>{{end}}</div>{{end}}`))

// HTML renders report.html, one self-contained page.
func HTML(res *Results) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, res); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
