// Package webprobe makes the black-box HTTP probes of the NCSC
// web-application guidelines that give evidence for SC001–SC003
// (shared/reference/nen7513-ncsc-web.md §3.3).
package webprobe

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/evidence"
)

// Exchange is one request and what came back.
type Exchange struct {
	Request  *http.Request
	Body     []byte
	Response *http.Response
	// RespBody is the response body, read with a cap.
	RespBody []byte
	// Transcript is the exchange as evidence (unredacted; the report redacts).
	Transcript []byte
}

// Do sends one request and reads the answer with a cap. A transport error
// is returned as is: the caller classifies it as "could not test".
func Do(ctx context.Context, client *http.Client, method, url string, reqBody []byte, header http.Header) (*Exchange, error) {
	var body io.Reader
	if len(reqBody) > 0 {
		body = bytes.NewReader(reqBody)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	ex := &Exchange{Request: req, Body: reqBody}
	resp, err := client.Do(req)
	if err != nil {
		ex.Transcript = evidence.HTTPExchange(req, reqBody, nil, nil, err)
		return ex, err
	}
	defer resp.Body.Close()
	ex.Response = resp
	ex.RespBody, err = conduct.ReadBody(resp.Body, 256<<10)
	ex.Transcript = evidence.HTTPExchange(req, reqBody, resp, ex.RespBody, err)
	return ex, err
}

// MinHSTSMaxAge is one year, the internet.nl "good" threshold (U/WA.05).
const MinHSTSMaxAge = 31536000

// CheckHSTS returns "" when the header carries max-age of at least a year,
// else what is wrong.
func CheckHSTS(h http.Header) string {
	v := h.Get("Strict-Transport-Security")
	if v == "" {
		return "no Strict-Transport-Security header"
	}
	for _, part := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(k, "max-age") {
			n, err := strconv.Atoi(strings.Trim(val, `"`))
			if err != nil {
				return fmt.Sprintf("Strict-Transport-Security max-age %q is not a number", val)
			}
			if n < MinHSTSMaxAge {
				return fmt.Sprintf("Strict-Transport-Security max-age=%d (< %d)", n, MinHSTSMaxAge)
			}
			return ""
		}
	}
	return fmt.Sprintf("Strict-Transport-Security %q has no max-age", v)
}

var versionLike = regexp.MustCompile(`\d+\.\d+`)

// DisclosedVersions lists headers that reveal a product version (U/PW.03).
func DisclosedVersions(h http.Header) []string {
	var out []string
	for _, name := range []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		if name != "Server" || versionLike.MatchString(v) {
			out = append(out, name+": "+v)
		}
	}
	return out
}

var leakPatterns = regexp.MustCompile(`(?i)(goroutine \d+ \[|panic:|traceback \(most recent call last\)|\bat [\w.$]+\([\w]+\.java:\d+\)|stack trace|exception in thread|sqlstate|syntax error at or near|/usr/local/|/home/\w+/|\.go:\d+)`)

// LeakedInternals returns the first stack-trace, SQL or path fragment found
// in an error body (U/WA.03, ASVS 16.5.1), or "".
func LeakedInternals(body []byte) string {
	return leakPatterns.FindString(string(body))
}
