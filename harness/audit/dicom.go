package audit

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Formats of a raw record.
const (
	FormatFHIR  = "fhir-json" // FHIR R4 AuditEvent
	FormatDICOM = "dicom-xml" // DICOM PS3.15 A.5 AuditMessage (IHE ATNA; RFC 3881 spellings accepted)
)

// dicomCode is a DICOM coded value: csd-code/codeSystemName/originalText
// (PS3.15 A.5.1), or code/codeSystemName/displayName in RFC 3881 messages.
type dicomCode struct {
	CSDCode        string `xml:"csd-code,attr"`
	Code           string `xml:"code,attr"`
	CodeSystemName string `xml:"codeSystemName,attr"`
	OriginalText   string `xml:"originalText,attr"`
	DisplayName    string `xml:"displayName,attr"`
}

func (c dicomCode) coding() Coding {
	code := c.CSDCode
	if code == "" {
		code = c.Code
	}
	text := c.OriginalText
	if text == "" {
		text = c.DisplayName
	}
	return Coding{System: dicomSystem(c.CodeSystemName), Code: code, Display: text}
}

func (c dicomCode) empty() bool { return c.CSDCode == "" && c.Code == "" }

// dicomSystem maps the code system names of audit messages to the FHIR
// system URIs the field table reads.
func dicomSystem(name string) string {
	switch name {
	case "DCM":
		return "http://dicom.nema.org/resources/ontology/DCM"
	case "RFC-3881":
		return "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	}
	return name
}

// dicomMessage is the AuditMessage element set the field table needs
// (DICOM PS3.15 A.5.1 schema; element and attribute names as there).
type dicomMessage struct {
	XMLName xml.Name `xml:"AuditMessage"`
	Event   struct {
		ActionCode string      `xml:"EventActionCode,attr"`
		DateTime   string      `xml:"EventDateTime,attr"`
		Outcome    string      `xml:"EventOutcomeIndicator,attr"`
		EventID    dicomCode   `xml:"EventID"`
		TypeCode   []dicomCode `xml:"EventTypeCode"`
		Purpose    []dicomCode `xml:"PurposeOfUse"`
	} `xml:"EventIdentification"`
	Participants []struct {
		UserID          string      `xml:"UserID,attr"`
		AltUserID       string      `xml:"AlternativeUserID,attr"`
		UserName        string      `xml:"UserName,attr"`
		UserIsRequestor string      `xml:"UserIsRequestor,attr"`
		NAPID           string      `xml:"NetworkAccessPointID,attr"`
		NAPType         string      `xml:"NetworkAccessPointTypeCode,attr"`
		Roles           []dicomCode `xml:"RoleIDCode"`
	} `xml:"ActiveParticipant"`
	Source struct {
		SiteID   string      `xml:"AuditEnterpriseSiteID,attr"`
		SourceID string      `xml:"AuditSourceID,attr"`
		Types    []dicomCode `xml:"AuditSourceTypeCode"`
	} `xml:"AuditSourceIdentification"`
	Objects []struct {
		ID       string    `xml:"ParticipantObjectID,attr"`
		TypeCode string    `xml:"ParticipantObjectTypeCode,attr"`
		Role     string    `xml:"ParticipantObjectTypeCodeRole,attr"`
		IDType   dicomCode `xml:"ParticipantObjectIDTypeCode"`
		Name     string    `xml:"ParticipantObjectName"`
		Query    string    `xml:"ParticipantObjectQuery"`
		Details  []struct {
			Type  string `xml:"type,attr"`
			Value string `xml:"value,attr"`
		} `xml:"ParticipantObjectDetail"`
		Description string `xml:"ParticipantObjectDescription"`
	} `xml:"ParticipantObjectIdentification"`
}

// MaxRecordBytes bounds one record of any format.
const MaxRecordBytes = 1 << 20

// ParseDICOM reads a DICOM PS3.15 A.5 AuditMessage into the FHIR-shaped
// Event the field table checks, by the DICOM → FHIR AuditEvent mapping
// (https://hl7.org/fhir/R4/auditevent-mappings.html). encoding/xml reads no
// DTD and expands no entity beyond the predefined five, so a hostile
// message cannot make it fetch or grow anything.
func ParseDICOM(raw []byte) (*Event, error) {
	if len(raw) > MaxRecordBytes {
		return nil, fmt.Errorf("audit message of %d bytes over the %d limit", len(raw), MaxRecordBytes)
	}
	var m dicomMessage
	dec := xml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("not an XML AuditMessage: empty")
		}
		return nil, fmt.Errorf("not an XML AuditMessage: %v", err)
	}
	ev := &Event{Raw: append([]byte(nil), raw...), Format: FormatDICOM,
		Action: m.Event.ActionCode, Recorded: m.Event.DateTime, Outcome: m.Event.Outcome}
	if !m.Event.EventID.empty() {
		c := m.Event.EventID.coding()
		ev.Type = &c
	}
	for _, c := range m.Event.TypeCode {
		ev.Subtype = append(ev.Subtype, c.coding())
	}
	for _, c := range m.Event.Purpose {
		ev.PurposeOf = append(ev.PurposeOf, CodeableConcept{Coding: []Coding{c.coding()}})
	}
	for _, p := range m.Participants {
		a := Agent{AltID: p.AltUserID, Name: p.UserName}
		if p.UserID != "" {
			a.Who = &Reference{Identifier: &Identifier{Value: p.UserID}}
		}
		if p.UserIsRequestor != "" {
			req := strings.EqualFold(p.UserIsRequestor, "true")
			a.Requestor = &req
		}
		if p.NAPID != "" {
			a.Network = &Network{Address: p.NAPID, Type: p.NAPType}
		}
		for _, r := range p.Roles {
			a.Role = append(a.Role, CodeableConcept{Coding: []Coding{r.coding()}})
		}
		ev.Agent = append(ev.Agent, a)
	}
	ev.Source.Site = m.Source.SiteID
	if m.Source.SourceID != "" {
		ev.Source.Observer = &Reference{Identifier: &Identifier{Value: m.Source.SourceID}}
	}
	for _, c := range m.Source.Types {
		ev.Source.Type = append(ev.Source.Type, c.coding())
	}
	for _, o := range m.Objects {
		e := Entity{Name: o.Name, Description: o.Description, Query: strings.TrimSpace(o.Query)}
		if o.ID != "" {
			e.What = &Reference{Identifier: &Identifier{System: o.IDType.coding().Code, Value: o.ID}}
		}
		if o.TypeCode != "" {
			e.Type = &Coding{System: "http://terminology.hl7.org/CodeSystem/audit-entity-type", Code: o.TypeCode}
		}
		if o.Role != "" {
			e.Role = &Coding{System: "http://terminology.hl7.org/CodeSystem/object-role", Code: o.Role}
		}
		for _, d := range o.Details {
			// PS3.15: the detail value is xs:base64Binary.
			e.Detail = append(e.Detail, Detail{Type: d.Type, ValueBase64: d.Value})
		}
		ev.Entity = append(ev.Entity, e)
	}
	return ev, nil
}

// ParseRecord reads one record whatever its format: a DICOM AuditMessage
// (XML) or a FHIR AuditEvent (JSON). A leading UTF-8 BOM and white space
// are ignored.
func ParseRecord(raw []byte) (*Event, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF}))
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("empty record")
	case trimmed[0] == '<':
		return ParseDICOM(trimmed)
	case trimmed[0] == '{':
		if len(trimmed) > MaxRecordBytes {
			return nil, fmt.Errorf("record of %d bytes over the %d limit", len(trimmed), MaxRecordBytes)
		}
		return ParseEvent(json.RawMessage(trimmed))
	}
	return nil, fmt.Errorf("neither an XML AuditMessage nor a JSON AuditEvent (starts with %q)", clip(string(trimmed[:min(len(trimmed), 20)])))
}
