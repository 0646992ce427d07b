// Package webprobe makes the black-box HTTP probes of the NCSC
// web-application guidelines that give evidence for SC001–SC003
// (docs/reference/nen7513-ncsc-web.md §3.3), classified the way
// internet.nl classifies the same checks (§3.5) so that a host's results
// line up with what internet.nl shows for it.
package webprobe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/apisec/apisec/harness/cause"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/evidence"
)

// BodyCap bounds every response body a web probe reads.
const BodyCap = 256 << 10

// transcriptBodyCap bounds the request body kept in evidence (the
// oversized-body probe sends a megabyte of filler).
const transcriptBodyCap = 2 << 10

// Exchange is one request and what came back.
type Exchange struct {
	// Name says what the request is for ("root", "TRACE base URL").
	Name     string
	Request  *http.Request
	Body     []byte
	Response *http.Response
	// RespBody is the response body, read with a cap.
	RespBody []byte
	// Err is set when no complete answer arrived.
	Err error
	// Transcript is the exchange as evidence (unredacted; the report redacts).
	Transcript []byte
}

// Status is the answer's status code, 0 without an answer.
func (e *Exchange) Status() int {
	if e == nil || e.Response == nil {
		return 0
	}
	return e.Response.StatusCode
}

// Header is the answer's header (empty without an answer).
func (e *Exchange) Header() http.Header {
	if e == nil || e.Response == nil {
		return http.Header{}
	}
	return e.Response.Header
}

// MediaType is the answer's media type without parameters, lower case.
func (e *Exchange) MediaType() string {
	mt, _, _ := mime.ParseMediaType(e.Header().Get("Content-Type"))
	return strings.ToLower(mt)
}

// Summary is "METHOD URL → status" for failure messages.
func (e *Exchange) Summary() string {
	if e == nil || e.Request == nil {
		return "no request"
	}
	s := e.Request.Method + " " + e.Request.URL.String()
	switch {
	case e.Err != nil:
		return s + " → no answer (" + string(cause.Of(e.Err)) + ")"
	case e.Response != nil:
		return s + " → " + e.Response.Status
	}
	return s
}

// Do sends one request and reads the answer with a cap. A transport error
// is returned as is (and kept in the Exchange): the caller classifies it as
// "could not test" unless the absence of an answer is what it judges.
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
		if strings.EqualFold(k, "Host") {
			req.Host = v[0]
			continue
		}
		req.Header[k] = v
	}
	ex := &Exchange{Request: req, Body: reqBody}
	kept := reqBody
	if len(kept) > transcriptBodyCap {
		kept = append(bytes.Clone(kept[:transcriptBodyCap]), fmt.Sprintf("… (%d bytes in all)", len(reqBody))...)
	}
	resp, err := client.Do(req)
	if err != nil {
		ex.Err = err
		ex.Transcript = evidence.HTTPExchange(req, kept, nil, nil, err)
		return ex, err
	}
	defer resp.Body.Close()
	ex.Response = resp
	ex.RespBody, err = conduct.ReadBody(resp.Body, BodyCap)
	ex.Err = err
	ex.Transcript = evidence.HTTPExchange(req, kept, resp, ex.RespBody, err)
	return ex, err
}

// transient reports an error worth one retry before it counts (docs/design.md:
// a reset or timeout is retried before it counts as anything).
func transient(err error) bool {
	return err != nil && !errors.Is(err, context.Canceled) && cause.Of(err).Transient()
}
