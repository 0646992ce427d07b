package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/syslog"
)

// Source is one channel the deployment logs to. Collect returns every
// record found so far that may concern q; the caller polls it until the
// records it needs are there or audit.wait ends.
type Source interface {
	// Name says what the source is, for the report.
	Name() string
	// Readable says the suite reads the records through the deployment's
	// API (so access control and "reading the log is logged" apply).
	Readable() bool
	Collect(ctx context.Context, q Query) (*Batch, error)
}

// Batch is what one Collect found.
type Batch struct {
	Events []*Event
	// Problems are records that could not be read as audit records.
	Problems []string
	// Pages are the HTTP answers read (evidence).
	Pages []*Page
}

// FHIRSource is an AuditEvent search endpoint (ITI-81 style).
type FHIRSource struct {
	URL     string
	Fetcher *Fetcher
}

func (s *FHIRSource) Name() string   { return "FHIR AuditEvent search " + s.URL }
func (s *FHIRSource) Readable() bool { return true }

// Collect searches by patient and date and follows the next links.
func (s *FHIRSource) Collect(ctx context.Context, q Query) (*Batch, error) {
	pages, evs, err := s.Fetcher.Search(ctx, s.URL, q)
	b := &Batch{Events: evs, Pages: pages}
	for i, p := range pages {
		if p.Bundle != nil {
			for _, pr := range p.Bundle.Problems {
				b.Problems = append(b.Problems, fmt.Sprintf("page %d: %s", i+1, pr))
			}
		}
	}
	for _, ev := range evs {
		ev.Origin = s.Name() + " record " + ev.ID
	}
	return b, err
}

// SyslogSource is the suite's receiver: the deployment sends its records
// there for the run (IHE ITI-20 Record Audit Event over RFC 5425).
type SyslogSource struct {
	Receiver *syslog.Receiver

	mu       sync.Mutex
	read     int
	events   []*Event
	problems []string
}

func (s *SyslogSource) Name() string   { return "syslog receiver " + s.Receiver.Addr() }
func (s *SyslogSource) Readable() bool { return false }

// maxProblems bounds the problems kept per source.
const maxProblems = 50

// Collect parses the messages that arrived since the last call; each MSG is
// a DICOM audit message or a FHIR AuditEvent (JSON, one per message).
func (s *SyslogSource) Collect(ctx context.Context, q Query) (*Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.Receiver.Messages(s.read) {
		s.read++
		ev, err := ParseRecord([]byte(m.Msg))
		if err != nil {
			if len(s.problems) < maxProblems {
				s.problems = append(s.problems, fmt.Sprintf("message %d from %s (%s): %v", m.Seq, m.Peer, m.PeerName, err))
			}
			continue
		}
		ev.Origin = fmt.Sprintf("%s message %d from %s (certificate %q, app %s, msgid %s)", s.Name(), m.Seq, m.Peer, m.PeerName, m.AppName, m.MsgID)
		s.events = append(s.events, ev)
	}
	return &Batch{Events: append([]*Event(nil), s.events...), Problems: append([]string(nil), s.problems...)}, nil
}

// JSONLSource is an export of one record per line (a FHIR AuditEvent JSON
// object, or a DICOM audit message on one line), read from a file or
// fetched from a URL with the auditor's token.
type JSONLSource struct {
	URL, File string
	Fetcher   *Fetcher
}

func (s *JSONLSource) Name() string {
	if s.File != "" {
		return "JSON-lines export file " + s.File
	}
	return "JSON-lines export " + s.URL
}

func (s *JSONLSource) Readable() bool { return s.URL != "" }

// MaxExportBytes bounds one export read.
const MaxExportBytes = 32 << 20

// Collect reads the whole export and keeps every line that is a record.
func (s *JSONLSource) Collect(ctx context.Context, q Query) (*Batch, error) {
	var body []byte
	b := &Batch{}
	if s.File != "" {
		f, err := os.Open(s.File)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		body, err = conduct.ReadBody(f, MaxExportBytes)
		if err != nil {
			return nil, err
		}
	} else {
		target, err := q.URL(s.URL)
		if err != nil {
			return nil, err
		}
		p, err := s.Fetcher.GetRaw(ctx, target)
		if p != nil {
			b.Pages = append(b.Pages, p)
		}
		if err != nil {
			return b, err
		}
		body = p.Body
	}
	evs, problems := ParseJSONLines(bytes.NewReader(body))
	for _, ev := range evs {
		ev.Origin = s.Name() + " " + ev.Origin
	}
	b.Events, b.Problems = evs, problems
	return b, nil
}

// ParseJSONLines reads one record per line; blank lines are skipped, lines
// that are no record are listed (not fatal).
func ParseJSONLines(r io.Reader) ([]*Event, []string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxRecordBytes)
	var evs []*Event
	var problems []string
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		ev, err := ParseRecord(line)
		if err != nil {
			if len(problems) < maxProblems {
				problems = append(problems, fmt.Sprintf("line %d: %v", n, err))
			}
			continue
		}
		ev.Origin = fmt.Sprintf("line %d", n)
		evs = append(evs, ev)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Sprintf("after line %d: %v", n, err))
	}
	return evs, problems
}

// GetRaw fetches a URL that is not a FHIR Bundle (an export): a non-2xx
// answer is an *HTTPError.
func (f *Fetcher) GetRaw(ctx context.Context, target string) (*Page, error) {
	p, _, err := f.get(ctx, target, "application/x-ndjson, application/jsonl, application/json", MaxExportBytes, true)
	return p, err
}

// errNoSource is returned when the profile names no usable source.
var errNoSource = errors.New("audit: no audit source")
