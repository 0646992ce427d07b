// Package audit reads a deployment's audit records from a FHIR AuditEvent
// search endpoint (IHE ITI-81 style) and checks them against the content
// NEN 7513:2018 demands of a log line: which event, when, about which
// patient, by which user on whose behalf, with which outcome, written by
// which system. It has no godog in it: steps/audit_steps.go drives it.
//
// The parser is written against encoding/json on purpose: no maintained Go
// FHIR library reads R4 AuditEvents tolerantly (extra fields, STU3
// leftovers, one broken entry among good ones), and the suite needs only
// the handful of elements the field table names.
package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Bundle is a FHIR searchset Bundle of AuditEvents.
type Bundle struct {
	Type  string
	Total *int
	// Next is the URL of the next page (link relation "next"), if any.
	Next   string
	Events []*Event
	// Problems lists entries that are not readable AuditEvents (their
	// index and why); they are reported, not fatal.
	Problems []string
}

// Event is the part of an R4 AuditEvent the NEN 7513 checks read; records
// in other formats (DICOM audit messages) are mapped onto it. Raw keeps the
// whole record as received for evidence and for finding a correlation id
// wherever the target put it; Format says what Raw is, Origin where the
// record came from (source and position).
type Event struct {
	Raw         []byte            `json:"-"`
	Format      string            `json:"-"`
	Origin      string            `json:"-"`
	ID          string            `json:"id"`
	Type        *Coding           `json:"type"`
	Subtype     []Coding          `json:"subtype"`
	Action      string            `json:"action"`
	Recorded    string            `json:"recorded"`
	Outcome     string            `json:"outcome"`
	OutcomeDesc string            `json:"outcomeDesc"`
	PurposeOf   []CodeableConcept `json:"purposeOfEvent"`
	Agent       []Agent           `json:"agent"`
	Source      EventSource       `json:"source"`
	Entity      []Entity          `json:"entity"`
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

func (c Coding) String() string {
	if c.System == "" {
		return c.Code
	}
	return c.System + "|" + c.Code
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding"`
	Text   string   `json:"text"`
}

func (c *CodeableConcept) empty() bool {
	if c == nil {
		return true
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return false
		}
	}
	return c.Text == ""
}

func (c *CodeableConcept) String() string {
	if c == nil {
		return ""
	}
	var parts []string
	for _, cd := range c.Coding {
		parts = append(parts, cd.String())
	}
	if len(parts) == 0 {
		return c.Text
	}
	return strings.Join(parts, ",")
}

// Identifier is a FHIR Identifier.
type Identifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

// Reference is a FHIR Reference.
type Reference struct {
	Reference  string      `json:"reference"`
	Identifier *Identifier `json:"identifier"`
	Display    string      `json:"display"`
}

func (r *Reference) empty() bool {
	return r == nil || r.Reference == "" && r.Display == "" && (r.Identifier == nil || r.Identifier.Value == "")
}

func (r *Reference) String() string {
	switch {
	case r == nil:
		return "(none)"
	case r.Reference != "":
		return r.Reference
	case r.Identifier != nil && r.Identifier.Value != "":
		if r.Identifier.System != "" {
			return r.Identifier.System + "|" + r.Identifier.Value
		}
		return r.Identifier.Value
	case r.Display != "":
		return fmt.Sprintf("display %q", r.Display)
	}
	return "(empty)"
}

// names reports whether the reference identifies id: by identifier value,
// by a reference whose last segment is id, or by display.
func (r *Reference) names(id string) bool {
	if r == nil || id == "" {
		return false
	}
	if r.Identifier != nil && r.Identifier.Value == id {
		return true
	}
	ref := strings.TrimSuffix(r.Reference, "/")
	return ref == id || strings.HasSuffix(ref, "/"+id)
}

// Agent is an AuditEvent.agent (a user, a client application, the
// responsible user).
type Agent struct {
	Type      *CodeableConcept  `json:"type"`
	Role      []CodeableConcept `json:"role"`
	Who       *Reference        `json:"who"`
	AltID     string            `json:"altId"`
	Name      string            `json:"name"`
	Requestor *bool             `json:"requestor"`
	Policy    []string          `json:"policy"`
	Network   *Network          `json:"network"`
}

// isCode reports whether the agent's type or a role carries code.
func (a *Agent) isCode(code string) bool {
	if a.Type != nil {
		for _, c := range a.Type.Coding {
			if c.Code == code {
				return true
			}
		}
	}
	for _, r := range a.Role {
		for _, c := range r.Coding {
			if c.Code == code {
				return true
			}
		}
	}
	return false
}

func (a *Agent) requestor() bool { return a.Requestor != nil && *a.Requestor }

func (a *Agent) describe() string {
	s := "who " + a.Who.String()
	if a.Name != "" {
		s += fmt.Sprintf(" name %q", a.Name)
	}
	if a.Type != nil {
		s += " type " + a.Type.String()
	}
	if len(a.Role) > 0 {
		s += " role " + a.Role[0].String()
	}
	if a.Requestor != nil {
		s += fmt.Sprintf(" requestor=%t", *a.Requestor)
	}
	return s
}

// Network is AuditEvent.agent.network (the NEN 7513 access point).
type Network struct {
	Address string `json:"address"`
	Type    string `json:"type"`
}

// EventSource is AuditEvent.source (the system that wrote the record).
type EventSource struct {
	Site     string     `json:"site"`
	Observer *Reference `json:"observer"`
	Type     []Coding   `json:"type"`
}

// Entity is an AuditEvent.entity (the patient, the resource, the query).
type Entity struct {
	What        *Reference `json:"what"`
	Type        *Coding    `json:"type"`
	Role        *Coding    `json:"role"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	// Query is base64Binary in R4 (the search that was run).
	Query  string   `json:"query"`
	Detail []Detail `json:"detail"`
}

// Detail is AuditEvent.entity.detail.
type Detail struct {
	Type        string `json:"type"`
	ValueString string `json:"valueString"`
	ValueBase64 string `json:"valueBase64Binary"`
}

// ErrNotBundle is returned for JSON that is not a FHIR Bundle.
var ErrNotBundle = errors.New("audit: not a FHIR Bundle")

type rawBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		Resource json.RawMessage `json:"resource"`
	} `json:"entry"`
}

// MaxEntries bounds how many entries of one page are read.
const MaxEntries = 1000

// ParseBundle reads a searchset Bundle. The Bundle itself must be well
// formed; an entry that is not a readable AuditEvent is listed in Problems
// and skipped, so one odd record does not hide the others. It never panics.
func ParseBundle(raw []byte) (*Bundle, error) {
	var rb rawBundle
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&rb); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBundle, err)
	}
	if rb.ResourceType != "Bundle" {
		return nil, fmt.Errorf("%w: resourceType is %q", ErrNotBundle, clip(rb.ResourceType))
	}
	b := &Bundle{Type: rb.Type, Total: rb.Total}
	for _, l := range rb.Link {
		if l.Relation == "next" {
			b.Next = l.URL
		}
	}
	for i, e := range rb.Entry {
		if i >= MaxEntries {
			b.Problems = append(b.Problems, fmt.Sprintf("entries beyond %d not read", MaxEntries))
			break
		}
		ev, err := ParseEvent(e.Resource)
		if err != nil {
			b.Problems = append(b.Problems, fmt.Sprintf("entry %d: %v", i, err))
			continue
		}
		b.Events = append(b.Events, ev)
	}
	return b, nil
}

// ParseEvent reads one AuditEvent resource.
func ParseEvent(raw json.RawMessage) (*Event, error) {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("not a JSON resource: %v", err)
	}
	if head.ResourceType != "AuditEvent" {
		return nil, fmt.Errorf("resourceType is %q, not AuditEvent", clip(head.ResourceType))
	}
	ev := &Event{}
	if err := json.Unmarshal(raw, ev); err != nil {
		return nil, fmt.Errorf("AuditEvent %s", shortJSONErr(err))
	}
	ev.Raw = append([]byte(nil), raw...)
	ev.Format = FormatFHIR
	return ev, nil
}

func shortJSONErr(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s is a JSON %s, not %s", te.Field, te.Value, te.Type)
	}
	return err.Error()
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
