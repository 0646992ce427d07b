package syslog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func frames(t *testing.T, framing Framing, max int, in string) ([]string, error) {
	t.Helper()
	fr := NewFrameReader(strings.NewReader(in), framing, max)
	var out []string
	for {
		f, err := fr.Next()
		var sk *SkippedError
		switch {
		case errors.As(err, &sk):
			out = append(out, "<skipped>")
			continue
		case err == io.EOF:
			return out, nil
		case err != nil:
			return out, err
		}
		out = append(out, string(f))
	}
}

func TestOctetCountingFrames(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
		err      error
	}{
		{"two frames", "3 abc2 de", []string{"abc", "de"}, nil},
		{"LF between frames", "3 abc\n2 de\n", []string{"abc", "de"}, nil},
		{"LF inside a frame is data", "4 a\nbc", []string{"a\nbc"}, nil},
		{"empty stream", "", nil, nil},
		{"leading zero", "03 abc", nil, ErrBadFrame},
		{"no space", "3abc", nil, ErrBadFrame},
		{"letters", "abc", nil, ErrBadFrame},
		{"too many digits", "12345678901 x", nil, ErrBadFrame},
		{"ends in the length", "12", nil, ErrTruncated},
		{"ends in the message", "10 abc", nil, ErrTruncated},
		{"oversized is skipped", "12 0123456789ab3 abc", []string{"<skipped>", "abc"}, nil},
		{"oversized beyond skipping", "9999 x", nil, ErrTooLarge},
		{"oversized and cut off", "12 0123", []string{"<skipped>"}, ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := frames(t, OctetCounting, 10, c.in)
			if c.err != nil {
				require.ErrorIs(t, err, c.err)
				if c.want == nil {
					return
				}
			} else {
				require.NoError(t, err)
			}
			if c.name == "oversized and cut off" {
				return
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestNonTransparentFrames(t *testing.T) {
	got, err := frames(t, NonTransparent, 10, "abc\r\n\nde\n0123456789abcdef\nxyz\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"abc", "de", "<skipped>", "xyz"}, got)

	_, err = frames(t, NonTransparent, 10, "abc\nno-trailer")
	assert.ErrorIs(t, err, ErrTruncated, "a stream that ends without LF lost its last message")

	long := strings.Repeat("x", 40<<10) + "\nok\n"
	got, err = frames(t, NonTransparent, 32<<10, long)
	require.NoError(t, err)
	assert.Equal(t, []string{"<skipped>", "ok"}, got, "a line longer than the read buffer and the limit is skipped")

	got, err = frames(t, NonTransparent, 64<<10, long)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Len(t, got[0], 40<<10, "a line longer than the read buffer but within the limit is whole")

	_, err = frames(t, NonTransparent, 1024, strings.Repeat("x", 40<<10)+"\n")
	assert.ErrorIs(t, err, ErrTooLarge, "a line past 16 times the limit is not read to its end")
}

func TestParserReadsRFC5424(t *testing.T) {
	p := NewParser()
	m, err := p.Parse([]byte("<85>1 2026-01-02T03:04:05.123+01:00 host app 42 ID47 [exampleSDID@32473 iut=\"3\"] \xEF\xBB\xBF<AuditMessage/>"))
	require.NoError(t, err)
	assert.Equal(t, 85, m.Priority)
	assert.Equal(t, "42", m.ProcID)
	assert.Equal(t, "3", m.StructuredData["exampleSDID@32473"]["iut"])
	assert.Equal(t, "<AuditMessage/>", m.Msg, "the BOM is not part of the payload")

	for _, bad := range []string{"", "hello", "<85>", "<999>1 - - - - - -", "<85>0 - - - - - -", "<85>1 notatime - - - - -"} {
		_, err := p.Parse([]byte(bad))
		assert.Error(t, err, "%q", bad)
	}
}

func seeds(f *testing.F, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzFrameReader: whatever a sender writes, the frame reader ends with a
// frame, io.EOF or one of its errors, never returns more than the limit,
// and never panics or loops.
func FuzzFrameReader(f *testing.F) {
	seeds(f, "testdata/frames")
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, framing := range []Framing{OctetCounting, NonTransparent} {
			fr := NewFrameReader(bytes.NewReader(in), framing, 64)
			for i := 0; i <= len(in)+1; i++ {
				b, err := fr.Next()
				if err != nil {
					var sk *SkippedError
					if errors.As(err, &sk) {
						continue
					}
					if err != io.EOF && !errors.Is(err, ErrBadFrame) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrTruncated) {
						t.Fatalf("%s: unexpected error %v", framing, err)
					}
					break
				}
				if len(b) > 64 {
					t.Fatalf("%s: frame of %d bytes over the limit", framing, len(b))
				}
				if i == len(in)+1 {
					t.Fatalf("%s: more frames than input bytes", framing)
				}
			}
		}
	})
}

// FuzzParse: the RFC 5424 parser never panics; what it accepts has a
// valid PRI.
func FuzzParse(f *testing.F) {
	seeds(f, "testdata/messages")
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := NewParser().Parse(in)
		if err == nil && (m.Priority < 0 || m.Priority > 191) {
			t.Fatalf("accepted PRI %d", m.Priority)
		}
	})
}
