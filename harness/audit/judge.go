package audit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/syslog"
	"github.com/apisec/apisec/harness/verdict"
)

// Presence judges whether every source holds a record of the probe's
// access within audit.wait: the worst of the sources (a missing record in
// one source is not hidden by another that has it).
func (rep *Report) Presence(id string) error {
	r, ok := rep.Results[id]
	if !ok {
		return fmt.Errorf("audit: no probe %q", id)
	}
	if r.Err != nil {
		return r.Err
	}
	var errs []error
	for _, f := range r.Found {
		errs = append(errs, f.Err)
	}
	return worst(errs)
}

// worst is the error whose status ranks worst (fail > error > warn); nil
// when all are nil.
func worst(errs []error) error {
	var out error
	rank := verdict.Pass
	for _, e := range errs {
		if e == nil {
			continue
		}
		st, _ := verdict.Classify(e)
		if out == nil || worse(st, rank) {
			out, rank = e, st
		}
	}
	return out
}

func worse(a, b verdict.Status) bool {
	order := []verdict.Status{verdict.Pass, verdict.NotApplicable, verdict.NotAssessed, verdict.Info, verdict.Warn, verdict.Error, verdict.Fail}
	return slices.Index(order, a) > slices.Index(order, b)
}

// FieldByID is the row of the field table with that id.
func FieldByID(id string) (Field, bool) {
	for _, f := range Fields {
		if f.ID == id {
			return f, true
		}
	}
	return Field{}, false
}

// fieldSeverity ranks a failed row: a record that names no patient, no
// user, a wrong time or outcome cannot answer "who saw which record when"
// (high, the default); clinical content in the log spreads the very data
// the log protects to everyone who reads the log (high); should-rows are
// low (the default for warnings).
var fieldSeverity = map[string]verdict.Severity{}

// Field judges one row of the field table over the record of every access
// the suite found in every source, and names each record that misses it.
func (rep *Report) Field(id string) error {
	f, ok := FieldByID(id)
	if !ok {
		return fmt.Errorf("audit: the field table has no row %q", id)
	}
	probe := fmt.Sprintf("NEN 7513 field %s (%s)", f.ID, f.Path)
	checked := 0
	var problems, seen []string // seen: what a describe row found
	for _, pid := range RecordProbes {
		r := rep.Results[pid]
		if r == nil || r.Err != nil {
			continue
		}
		x := expectFor(rep.cfg, rep.clinical, r)
		if !f.applies(x) {
			continue
		}
		for _, fd := range r.Found {
			if len(fd.Events) == 0 {
				continue
			}
			ev := fd.Events[0]
			checked++
			where := fmt.Sprintf("%s record %s in %s", pid, recordName(ev), fd.Source)
			if f.Level == Describe {
				if x.User != "" {
					seen = append(seen, where+": "+OnBehalfOf(ev, x.User))
				}
				continue
			}
			if got := f.Check(ev, x); got != "" {
				problems = append(problems, where+": "+got)
			}
		}
	}
	if checked == 0 {
		return verdict.CouldNotTestf(probe, "no record of an access this row applies to was found, so the field could not be checked (see the presence scenarios)")
	}
	if f.Level == Describe {
		// No Dutch profile fixes how this is encoded: recorded, not judged.
		return verdict.Noted(probe, strings.Join(seen, "; "))
	}
	if len(problems) == 0 {
		return nil
	}
	got := strings.Join(problems, "; ")
	switch f.Level {
	case Required:
		err := verdict.Deviation(probe, f.Want, f.Clause, got)
		if s, ok := fieldSeverity[f.ID]; ok {
			err = verdict.WithSeverity(err, s)
		}
		return err
	case Should:
		return verdict.Warning(probe, f.Want, f.Clause, got)
	}
	return verdict.Noted(probe, got)
}

// Problems lists, per source, the records that could not be read as audit
// records (kept for the report, never a verdict by themselves).
func (rep *Report) Problems() []string {
	var out []string
	for _, s := range rep.Sources {
		for _, p := range s.Problems {
			out = append(out, s.Name+": "+p)
		}
	}
	return out
}

func recordName(ev *Event) string {
	if ev.ID != "" {
		return ev.ID
	}
	if ev.Origin != "" {
		return "(" + ev.Origin + ")"
	}
	return "(no id)"
}

// organisation reports whether the agent names an organisation: an
// Organization reference, or an identifier in the Dutch URA or AGB
// systems (OIDs 2.16.528.1.1007.3.3 and 2.16.840.1.113883.2.4.6.1, or
// the nl-core NamingSystem URIs).
func (a *Agent) organisation() bool {
	if a.Who == nil {
		return false
	}
	if strings.HasPrefix(a.Who.Reference, "Organization/") || strings.Contains(a.Who.Reference, "/Organization/") {
		return true
	}
	if id := a.Who.Identifier; id != nil && id.Value != "" {
		sys := strings.ToLower(id.System)
		for _, s := range []string{"2.16.528.1.1007.3.3", "2.16.840.1.113883.2.4.6.1", "namingsystem/ura", "namingsystem/agb"} {
			if strings.Contains(sys, s) {
				return true
			}
		}
	}
	return false
}

// nonContent are the keys of a FHIR resource that identify rather than
// describe: their values may appear in a log line.
var nonContent = map[string]bool{
	"resourceType": true, "id": true, "reference": true, "system": true, "url": true, "fullUrl": true,
	"mode": true, "status": true, "versionId": true, "lastUpdated": true, "profile": true, "type": true,
	"use": true, "value": false, "relation": true, "total": true,
}

// ClinicalValues are the content strings of what the API served on the
// read (names, dates, codes' texts, values) — everything but identifiers,
// references and metadata — that must not appear in a log line. Values
// shorter than three characters are left out: they would match by chance.
func ClinicalValues(body []byte) []string {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil
	}
	var out []string
	var walk func(key string, v any, inIdentifier bool)
	walk = func(key string, v any, inIdentifier bool) {
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				if k == "meta" || k == "identifier" || k == "link" || k == "text" && isNarrative(c) {
					continue
				}
				walk(k, c, inIdentifier)
			}
		case []any:
			for _, c := range t {
				walk(key, c, inIdentifier)
			}
		case string:
			if !nonContent[key] && len(t) >= 3 && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	walk("", doc, false)
	slices.Sort(out)
	return out
}

func isNarrative(v any) bool {
	m, ok := v.(map[string]any)
	return ok && m["div"] != nil
}

// clinicalIn finds content of the patient's record in a log line: a whole
// FHIR resource other than an AuditEvent embedded in the record or in its
// base64 details, or a content value of the served record standing as a
// value of its own in the record, or inside one of its free-text elements.
// Coded values (system, code, and the display of a Coding) are vocabulary,
// not content, and are not compared. It returns "" when there is none.
func clinicalIn(ev *Event, clinical []string) string {
	doc := recordDoc(ev)
	blobs := []any{doc}
	var raw [][]byte
	for _, e := range ev.Entity {
		for _, d := range e.Detail {
			if b, err := base64.StdEncoding.DecodeString(d.ValueBase64); err == nil && len(b) > 0 {
				var v any
				if json.Unmarshal(b, &v) == nil {
					blobs = append(blobs, v)
				} else {
					raw = append(raw, b)
				}
			}
		}
	}
	var found []string
	add := func(s string) {
		if !slices.Contains(found, s) {
			found = append(found, s)
		}
	}
	for _, b := range blobs {
		if rt := embeddedResource(b); rt != "" {
			add("an embedded " + rt + " resource")
		}
		walkLeaves(b, "", false, func(key, v string) {
			for _, c := range clinical {
				if v == c || freeText[key] && len(c) >= 4 && strings.Contains(v, c) {
					add(fmt.Sprintf("%q in %s", c, key))
				}
			}
		})
	}
	for _, b := range raw {
		for _, c := range clinical {
			if len(c) >= 4 && bytes.Contains(b, []byte(c)) {
				add(fmt.Sprintf("%q in a decoded detail", c))
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	return "the record carries the patient's content: " + strings.Join(found, ", ")
}

// freeText are the elements of a record that hold prose.
var freeText = map[string]bool{"description": true, "outcomeDesc": true, "name": true, "valueString": true, "text": true, "display": true}

// recordDoc is the record as generic JSON: a FHIR record as received (so
// extensions are seen too), any other format as the Event it maps to.
func recordDoc(ev *Event) any {
	var v any
	if ev.Format == FormatFHIR && json.Unmarshal(ev.Raw, &v) == nil {
		return v
	}
	b, _ := json.Marshal(ev)
	_ = json.Unmarshal(b, &v)
	return v
}

// walkLeaves calls fn with every string leaf and its key, skipping the
// coded parts of Codings (objects with a code or system).
func walkLeaves(v any, key string, inCoding bool, fn func(key, v string)) {
	switch t := v.(type) {
	case map[string]any:
		_, hasCode := t["code"]
		_, hasSystem := t["system"]
		coding := hasCode || hasSystem
		for k, c := range t {
			if coding && (k == "code" || k == "system" || k == "display" || k == "version") {
				continue
			}
			walkLeaves(c, k, coding, fn)
		}
	case []any:
		for _, c := range t {
			walkLeaves(c, key, inCoding, fn)
		}
	case string:
		fn(key, t)
	}
}

// embeddedResource is the resourceType of a FHIR resource inside b other
// than the record itself (AuditEvent) or a Bundle around it.
func embeddedResource(doc any) string {
	var out string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if out != "" || depth > 32 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			if rt, ok := t["resourceType"].(string); ok && rt != "AuditEvent" && rt != "Bundle" && rt != "OperationOutcome" {
				out = rt
				return
			}
			for _, c := range t {
				walk(c, depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, depth+1)
			}
		}
	}
	if m, ok := doc.(map[string]any); ok && m["resourceType"] == "AuditEvent" {
		// The record itself: look inside it only.
		for _, c := range m {
			walk(c, 1)
		}
		return out
	}
	walk(doc, 0)
	return out
}

// SourcesEvidence describes every source as JSON: records read, records
// that could not be read, the syslog receiver's counters and rejections,
// and the first HTTP answers.
func (rep *Report) SourcesEvidence() []byte {
	type page struct {
		URL    string          `json:"url"`
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body,omitempty"`
		Text   string          `json:"text,omitempty"`
	}
	type src struct {
		Name       string             `json:"name"`
		Readable   bool               `json:"read_through_the_api"`
		Error      string             `json:"error,omitempty"`
		Records    int                `json:"records"`
		Problems   []string           `json:"unreadable_records,omitempty"`
		Receiver   *syslog.Stats      `json:"receiver,omitempty"`
		Rejections []syslog.Rejection `json:"rejections,omitempty"`
		Pages      []page             `json:"pages,omitempty"`
	}
	var out []src
	for _, s := range rep.Sources {
		e := src{Name: s.Name, Readable: s.Readable, Records: s.Records, Problems: s.Problems}
		if s.Err != nil {
			e.Error = s.Err.Error()
		}
		if ss, ok := s.src.(*SyslogSource); ok {
			st := ss.Receiver.Stats()
			e.Receiver, e.Rejections = &st, ss.Receiver.Rejections()
		}
		for _, p := range s.Pages {
			pg := page{URL: p.URL, Status: p.Status}
			if json.Valid(p.Body) {
				pg.Body = p.Body
			} else {
				pg.Text = clip(string(p.Body))
			}
			e.Pages = append(e.Pages, pg)
		}
		out = append(out, e)
	}
	b, _ := json.MarshalIndent(map[string]any{"sources": out, "rounds": rep.Attempts}, "", "  ")
	return b
}
