package audit

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/verdict"
)

// Kind is what the suite did that the record must describe.
type Kind string

const (
	// KindRead is an authorized read of the test patient.
	KindRead Kind = "read"
	// KindSearch is an authorized search for the test patient.
	KindSearch Kind = "search"
	// KindDenied is an access the API refused (no token, a forged token).
	KindDenied Kind = "denied"
	// KindAuditRead is the suite's own search of the audit log.
	KindAuditRead Kind = "audit-read"
)

// Level says how much a field weighs.
type Level string

const (
	// Required fields fail SC005 when missing or wrong.
	Required Level = "required"
	// Should fields give a warning.
	Should Level = "should"
	// Describe fields are only described (how the target encodes them).
	Describe Level = "describe"
)

// Expect is what a record caused by one of the suite's requests must say.
type Expect struct {
	Kind Kind
	// User is the identity the suite acted as; empty for denied accesses
	// where the API could not know who it was.
	User    string
	Patient string
	// From and To bound when the event happened (request sent, answer
	// received, widened by the clock tolerance).
	From, To time.Time
	// ServerFrom and ServerTo are the same window by the API's own clock
	// (its Date header), when it sent one: a record within either window
	// passes, so a wrong clock on the suite's side fails no target.
	ServerFrom, ServerTo time.Time
	// Clinical are content values of the test patient's record as the API
	// served it to the suite (ClinicalValues): none may be in the log.
	Clinical []string
}

// Field is one row of the NEN 7513 content table: what the record must
// carry, where NEN 7513 asks for it, and where FHIR R4 puts it. Check
// returns "" when the record meets the row, else what it found.
type Field struct {
	ID     string
	Clause string
	Path   string
	Level  Level
	// Kinds the row applies to; empty means all.
	Kinds []Kind
	// Authenticated rows apply only when the suite's identity was known
	// to the API (Expect.User set).
	Authenticated bool
	Want          string
	Check         func(ev *Event, x Expect) string
}

func (f Field) applies(x Expect) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, x.Kind) {
		return false
	}
	return !f.Authenticated || x.User != ""
}

var crude = []string{"C", "R", "U", "D", "E"}

// Fields is the NEN 7513:2018 content table (chapter 5 information needs,
// chapter 7 log-line data) mapped to FHIR R4 AuditEvent as the RIVO-Noord
// and Logius NEN 7513 mappings do. Clause numbers come from NEN's public
// excerpts, not from the purchased norm.
var Fields = []Field{
	{ID: "event-type", Clause: "NEN 7513:2018 §7.2 gebeurteniscode", Path: "AuditEvent.type", Level: Required,
		Want: "a coded event type (DCM or audit-event-type)",
		Check: func(ev *Event, x Expect) string {
			if ev.Type == nil || ev.Type.Code == "" {
				return "no type code"
			}
			return ""
		}},
	{ID: "event-subtype", Clause: "NEN 7513:2018 §7.2 (event type detail); IHE BALP", Path: "AuditEvent.subtype", Level: Should,
		Kinds: []Kind{KindRead, KindSearch, KindAuditRead},
		Want:  "the FHIR interaction (read / search-type)",
		Check: func(ev *Event, x Expect) string {
			want := []string{"read", "vread"}
			if x.Kind == KindSearch || x.Kind == KindAuditRead {
				want = []string{"search", "search-type", "search-system"}
			}
			var got []string
			for _, c := range ev.Subtype {
				if slices.Contains(want, c.Code) {
					return ""
				}
				got = append(got, c.String())
			}
			return fmt.Sprintf("subtype %v", got)
		}},
	{ID: "action", Clause: "NEN 7513:2018 §7.2 actiecode", Path: "AuditEvent.action", Level: Required,
		Want: "R for a read (R or E for a search), one of C/R/U/D/E",
		Check: func(ev *Event, x Expect) string {
			ok := crude
			switch x.Kind {
			case KindRead:
				ok = []string{"R"}
			case KindSearch, KindDenied, KindAuditRead:
				ok = []string{"R", "E"}
			}
			if !slices.Contains(ok, ev.Action) {
				return fmt.Sprintf("action %q", ev.Action)
			}
			return ""
		}},
	{ID: "recorded", Clause: "NEN 7513:2018 §7.2 datum en tijd; NEN 7510 A.12.4.4", Path: "AuditEvent.recorded", Level: Required,
		Want: "an instant with a time zone, within the probe's time window",
		Check: func(ev *Event, x Expect) string {
			t, err := time.Parse(time.RFC3339Nano, ev.Recorded)
			if err != nil {
				return fmt.Sprintf("recorded %q is not an instant with a zone", clip(ev.Recorded))
			}
			inLocal := !t.Before(x.From) && !t.After(x.To)
			inServer := !x.ServerFrom.IsZero() && !t.Before(x.ServerFrom) && !t.After(x.ServerTo)
			if !inLocal && !inServer {
				return fmt.Sprintf("recorded %s outside the request window %s – %s", ev.Recorded, x.From.UTC().Format(time.RFC3339Nano), x.To.UTC().Format(time.RFC3339Nano))
			}
			return ""
		}},
	{ID: "outcome", Clause: "NEN 7513:2018 §7.2; DICOM PS3.15 A.5 EventOutcomeIndicator", Path: "AuditEvent.outcome", Level: Required,
		Want: "0 for a served request, 4/8/12 for a refused one",
		Check: func(ev *Event, x Expect) string {
			ok := []string{"0"}
			if x.Kind == KindDenied {
				ok = []string{"4", "8", "12"}
			}
			if !slices.Contains(ok, ev.Outcome) {
				return fmt.Sprintf("outcome %q", ev.Outcome)
			}
			return ""
		}},
	{ID: "user", Clause: "NEN 7513:2018 ch. 5 item 4, §7.3 gebruikers-id", Path: "AuditEvent.agent[requestor=true].who", Level: Required,
		Authenticated: true, Want: "an agent (requestor=true) that identifies the test user",
		Check: func(ev *Event, x Expect) string {
			if a := userAgent(ev, x.User); a != nil {
				if !a.requestor() {
					return fmt.Sprintf("the agent naming %q is not marked requestor=true", x.User)
				}
				return ""
			}
			return "agents: " + agents(ev)
		}},
	{ID: "user-role", Clause: "NEN 7513:2018 §7.3 gebruikersrol", Path: "AuditEvent.agent.role | agent.type", Level: Should,
		Authenticated: true, Want: "a role or type on the user's agent",
		Check: func(ev *Event, x Expect) string {
			a := userAgent(ev, x.User)
			if a == nil {
				return "" // the user row reports it
			}
			if a.Type.empty() && !slices.ContainsFunc(a.Role, func(c CodeableConcept) bool { return !c.empty() }) {
				return "the user's agent has neither role nor type"
			}
			return ""
		}},
	{ID: "on-behalf-of", Clause: "NEN 7513:2018 ch. 5 item 5 (namens)", Path: "AuditEvent.agent (second agent, requestor=false)", Level: Describe,
		Authenticated: true, Want: "the responsible user, or the user acting for itself",
		Check: func(ev *Event, x Expect) string {
			// No Dutch profile fixes the encoding, so this row only
			// describes it (see OnBehalfOf).
			return ""
		}},
	{ID: "organisation", Clause: "NEN 7513:2018 ch. 9 (organisation shown per event); §7 loggegevens", Path: "AuditEvent.source.site | agent.who (URA/AGB) | agent Organization", Level: Should,
		Want: "the organisation responsible for the access (source.site, or an agent naming a URA/AGB or an Organization)",
		Check: func(ev *Event, x Expect) string {
			if strings.TrimSpace(ev.Source.Site) != "" {
				return ""
			}
			for i := range ev.Agent {
				if ev.Agent[i].organisation() {
					return ""
				}
			}
			return "no source.site and no agent naming an organisation"
		}},
	{ID: "access-point", Clause: "NEN 7513:2018 §7.3 toegangspunt", Path: "AuditEvent.agent.network.address", Level: Should,
		Want: "the client's network address",
		Check: func(ev *Event, x Expect) string {
			for _, a := range ev.Agent {
				if a.Network != nil && a.Network.Address != "" {
					return ""
				}
			}
			return "no agent.network.address"
		}},
	{ID: "patient", Clause: "NEN 7513:2018 ch. 5 item 3, §7.4 identificator", Path: "AuditEvent.entity.what", Level: Required,
		Kinds: []Kind{KindRead, KindSearch, KindDenied},
		Want:  "an entity that identifies the test patient (Patient reference or identifier)",
		Check: func(ev *Event, x Expect) string {
			if patientEntity(ev, x.Patient) != nil {
				return ""
			}
			return "entities: " + entities(ev)
		}},
	{ID: "object", Clause: "NEN 7513:2018 §7.4 (objects involved)", Path: "AuditEvent.entity.what | entity.query", Level: Required,
		Want: "an entity naming the object accessed",
		Check: func(ev *Event, x Expect) string {
			for _, e := range ev.Entity {
				if !e.What.empty() || e.Query != "" {
					return ""
				}
			}
			return "no entity with what or query"
		}},
	{ID: "search-query", Clause: "NEN 7513:2018 ch. 6 (searches); IHE BALP PatientQuery", Path: "AuditEvent.entity.query", Level: Should,
		Kinds: []Kind{KindSearch}, Want: "the search in entity.query (base64)",
		Check: func(ev *Event, x Expect) string {
			for _, e := range ev.Entity {
				if e.Query == "" {
					continue
				}
				if _, err := base64.StdEncoding.DecodeString(e.Query); err != nil {
					return "entity.query is not base64Binary"
				}
				return ""
			}
			return "no entity.query"
		}},
	{ID: "no-clinical-payload", Clause: "NEN 7513:2018 ch. 7 (the fact of an access is logged, not the data); OWASP ASVS 5.0 16.2.5", Path: "AuditEvent.* (the whole record and its decoded entity.detail)", Level: Required,
		Want: "identifiers and references only: none of the test patient's content the API served",
		Check: func(ev *Event, x Expect) string {
			return clinicalIn(ev, x.Clinical)
		}},
	{ID: "source", Clause: "NEN 7513:2018 §7 loggegevens: identificatie van de bron", Path: "AuditEvent.source.observer", Level: Required,
		Want: "the system that wrote the record",
		Check: func(ev *Event, x Expect) string {
			if ev.Source.Observer.empty() {
				return "no source.observer"
			}
			return ""
		}},
}

// Problem is one field a record does not meet.
type Problem struct {
	Field Field
	Got   string
}

// CheckEvent runs every applicable row of the table on one record.
func CheckEvent(ev *Event, x Expect) []Problem {
	var out []Problem
	for _, f := range Fields {
		if !f.applies(x) {
			continue
		}
		if got := f.Check(ev, x); got != "" {
			out = append(out, Problem{Field: f, Got: got})
		}
	}
	return out
}

// Verdict turns the problems of one record into the scenario's result:
// a deviation when a required field is wrong, a warning when only
// should-fields are, nil when none.
func Verdict(probe string, ev *Event, problems []Problem) error {
	var must, should []string
	var mustClauses, shouldClauses []string
	for _, p := range problems {
		line := fmt.Sprintf("%s (%s): %s", p.Field.ID, p.Field.Path, p.Got)
		switch p.Field.Level {
		case Required:
			must, mustClauses = append(must, line), append(mustClauses, p.Field.Clause)
		case Should:
			should, shouldClauses = append(should, line), append(shouldClauses, p.Field.Clause)
		}
	}
	id := "record " + ev.ID
	switch {
	case len(must) > 0:
		return verdict.Deviation(probe, wants(problems, Required), strings.Join(uniq(mustClauses), "; "), id+": "+strings.Join(must, "; "))
	case len(should) > 0:
		return verdict.Warning(probe, wants(problems, Should), strings.Join(uniq(shouldClauses), "; "), id+": "+strings.Join(should, "; "))
	}
	return nil
}

func wants(ps []Problem, l Level) string {
	var w []string
	for _, p := range ps {
		if p.Field.Level == l {
			w = append(w, p.Field.ID+": "+p.Field.Want)
		}
	}
	return strings.Join(w, "; ")
}

func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// userAgent is the agent that names user, preferring the requestor.
func userAgent(ev *Event, user string) *Agent {
	var found *Agent
	for i := range ev.Agent {
		a := &ev.Agent[i]
		if a.Who.names(user) || (user != "" && a.AltID == user) {
			if a.requestor() {
				return a
			}
			if found == nil {
				found = a
			}
		}
	}
	return found
}

func patientEntity(ev *Event, patient string) *Entity {
	for i := range ev.Entity {
		if ev.Entity[i].What.names(patient) {
			return &ev.Entity[i]
		}
	}
	return nil
}

func agents(ev *Event) string {
	if len(ev.Agent) == 0 {
		return "none"
	}
	var s []string
	for i := range ev.Agent {
		s = append(s, "["+ev.Agent[i].describe()+"]")
	}
	return strings.Join(s, " ")
}

func entities(ev *Event) string {
	if len(ev.Entity) == 0 {
		return "none"
	}
	var s []string
	for _, e := range ev.Entity {
		s = append(s, e.What.String())
	}
	return strings.Join(s, ", ")
}

// OnBehalfOf describes how the record encodes NEN 7513's responsible user
// ("namens"): no Dutch profile fixes it, so the suite reports it.
func OnBehalfOf(ev *Event, user string) string {
	u := userAgent(ev, user)
	var others []string
	for i := range ev.Agent {
		// The API itself (DICOM "Destination Role ID") acts for no one.
		if &ev.Agent[i] != u && !ev.Agent[i].isCode("110152") {
			others = append(others, "["+ev.Agent[i].describe()+"]")
		}
	}
	if len(others) == 0 {
		return "no second agent: the user is recorded as acting for itself"
	}
	return "other agents beside the user: " + strings.Join(others, " ")
}
