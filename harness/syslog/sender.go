package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/leodido/go-syslog/v4/rfc5424"
)

// Format builds one RFC 5424 message with the library's builder (RFC 5424
// §6: PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG).
// Facility 10 (authpriv) and severity 5 (notice) are what IHE ITI-20 asks
// of audit messages (PRI 85).
func Format(ts time.Time, host, app, msgID string, msg []byte) ([]byte, error) {
	m := &rfc5424.SyslogMessage{}
	m.SetPriority(10*8 + 5)
	m.SetVersion(1)
	m.SetTimestamp(ts.UTC().Format(time.RFC3339Nano))
	m.SetHostname(host)
	m.SetAppname(app)
	m.SetMsgID(msgID)
	m.SetMessage(string(msg))
	s, err := m.String()
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	return []byte(s), nil
}

// Frame puts one message in its frame.
func Frame(framing Framing, msg []byte) []byte {
	if framing == NonTransparent {
		return append(append(make([]byte, 0, len(msg)+1), msg...), '\n')
	}
	n := strconv.Itoa(len(msg))
	out := make([]byte, 0, len(n)+1+len(msg))
	return append(append(append(out, n...), ' '), msg...)
}

// Sender is a TLS syslog client (RFC 5425) that keeps one connection and
// dials again after a failure. Safe for concurrent use.
type Sender struct {
	Addr    string
	TLS     *tls.Config
	Framing Framing
	Timeout time.Duration

	mu   sync.Mutex
	conn *tls.Conn
}

// Send writes one message, reconnecting once if the connection broke.
func (s *Sender) Send(ctx context.Context, msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	frame := Frame(s.Framing, msg)
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if s.conn == nil {
			if err = s.dial(ctx); err != nil {
				return err
			}
		}
		_ = s.conn.SetWriteDeadline(time.Now().Add(s.timeout()))
		if _, err = s.conn.Write(frame); err == nil {
			return nil
		}
		_ = s.conn.Close()
		s.conn = nil
	}
	return fmt.Errorf("syslog: send to %s: %w", s.Addr, err)
}

func (s *Sender) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 5 * time.Second
}

func (s *Sender) dial(ctx context.Context) error {
	if s.TLS == nil {
		return errors.New("syslog: sender without TLS config")
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: s.timeout()}, Config: s.TLS}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("syslog: dial %s: %w", s.Addr, err)
	}
	s.conn = c.(*tls.Conn)
	return nil
}

// Close ends the connection (the receiver sees a clean end of stream).
func (s *Sender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}
