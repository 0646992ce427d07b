package syslog

import (
	"strings"
	"time"

	gosyslog "github.com/leodido/go-syslog/v4"
	"github.com/leodido/go-syslog/v4/rfc5424"
)

// Message is one RFC 5424 message the receiver accepted.
type Message struct {
	// Seq numbers accepted messages from 1 in arrival order.
	Seq      uint64
	Received time.Time
	// Peer is the sender's address, PeerName the subject common name of its
	// client certificate.
	Peer, PeerName string
	// The RFC 5424 header (§6.2); empty strings for NILVALUE.
	Priority  int
	Timestamp time.Time
	Hostname  string
	AppName   string
	ProcID    string
	MsgID     string
	// StructuredData is SD-ID → PARAM-NAME → value.
	StructuredData map[string]map[string]string
	// Msg is the MSG part without a leading UTF-8 BOM (RFC 5424 §6.4); a
	// string, the parser's own copy, so a kept message costs one copy.
	Msg string
}

// Parser parses RFC 5424 messages; it is not safe for concurrent use, so
// each connection has its own.
type Parser struct {
	m gosyslog.Machine
}

// NewParser returns a strict RFC 5424 parser (no best effort: a message the
// grammar rejects is rejected whole and counted).
func NewParser() *Parser { return &Parser{m: rfc5424.NewMachine()} }

const bom = "\xEF\xBB\xBF"

// Parse reads one SYSLOG-MSG. The returned Message owns its memory.
func (p *Parser) Parse(frame []byte) (*Message, error) {
	raw, err := p.m.Parse(frame)
	if err != nil {
		return nil, err
	}
	sm, ok := raw.(*rfc5424.SyslogMessage)
	if !ok || sm == nil || !sm.Valid() || sm.Priority == nil {
		return nil, errInvalid
	}
	out := &Message{Priority: int(*sm.Priority)}
	if sm.Timestamp != nil {
		out.Timestamp = *sm.Timestamp
	}
	out.Hostname = str(sm.Hostname)
	out.AppName = str(sm.Appname)
	out.ProcID = str(sm.ProcID)
	out.MsgID = str(sm.MsgID)
	if sm.StructuredData != nil {
		out.StructuredData = *sm.StructuredData
	}
	if sm.Message != nil {
		out.Msg = strings.TrimPrefix(*sm.Message, bom)
	}
	return out, nil
}

type parseError string

func (e parseError) Error() string { return string(e) }

const errInvalid = parseError("syslog: not a valid RFC 5424 message (PRI or VERSION missing)")

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
