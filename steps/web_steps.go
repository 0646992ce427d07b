package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/harness/webprobe"
	"github.com/cucumber/godog"
)

// webState is the NCSC web-guideline part of a scenario: one exchange with
// the target's base URL.
type webState struct {
	ex *webprobe.Exchange
}

func registerWebSteps(sc *godog.ScenarioContext, w *World) {
	s := &webState{}
	sc.When(`^the suite sends "([A-Z]+)" to the base URL$`, func(ctx context.Context, method string) error {
		return s.send(ctx, w, method, "", "")
	})
	sc.When(`^the suite posts a truncated JSON document to the base URL$`, func(ctx context.Context) error {
		return s.send(ctx, w, http.MethodPost, `{"resourceType": "Patient", "id": `, "application/json")
	})
	sc.Then(`^the answer carries HSTS with a max-age of at least one year$`, func() error { return s.requireHSTS() })
	sc.Then(`^the answer carries "X-Content-Type-Options: nosniff"$`, func() error { return s.requireNoSniff() })
	sc.Then(`^the answer discloses no product version$`, func() error { return s.requireNoVersion() })
	sc.Then(`^the method is refused with (\d{3})(?: or (\d{3}))?$`, func(a, b string) error { return s.requireStatus("method refused", "U/PW.05", a, b) })
	sc.Then(`^the request is refused with a 4xx status$`, func() error { return s.requireClientError() })
	sc.Then(`^the error body reveals no stack trace, SQL or file path$`, func() error { return s.requireNoLeak() })
}

func (s *webState) send(ctx context.Context, w *World, method, body, contentType string) error {
	client := w.env.Guard.HTTPClient(nil)
	hdr := http.Header{}
	if contentType != "" {
		hdr.Set("Content-Type", contentType)
	}
	ex, err := webprobe.Do(ctx, client, method, w.env.Profile.Target.BaseURL, []byte(body), hdr)
	if ex != nil {
		w.Evidence(method+" base URL", "text/plain", ex.Transcript)
	}
	if err != nil {
		return verdict.CouldNotTest(method+" "+w.env.Profile.Target.BaseURL, err)
	}
	s.ex = ex
	return nil
}

func (s *webState) probe() string {
	return s.ex.Request.Method + " " + s.ex.Request.URL.String()
}

func (s *webState) requireHSTS() error {
	if problem := webprobe.CheckHSTS(s.ex.Response.Header); problem != "" {
		return verdict.Deviation(s.probe(), "Strict-Transport-Security with max-age ≥ 31536000",
			"NCSC web guidelines U/WA.05", problem)
	}
	return nil
}

func (s *webState) requireNoSniff() error {
	if got := s.ex.Response.Header.Get("X-Content-Type-Options"); !strings.EqualFold(got, "nosniff") {
		return verdict.Deviation(s.probe(), "X-Content-Type-Options: nosniff", "NCSC web guidelines U/PW.03",
			fmt.Sprintf("X-Content-Type-Options: %q", got))
	}
	return nil
}

func (s *webState) requireNoVersion() error {
	if leaked := webprobe.DisclosedVersions(s.ex.Response.Header); len(leaked) > 0 {
		return verdict.Deviation(s.probe(), "no product or version in response headers", "NCSC web guidelines U/PW.03",
			strings.Join(leaked, "; "))
	}
	return nil
}

func (s *webState) requireStatus(what, clause string, codes ...string) error {
	got := fmt.Sprint(s.ex.Response.StatusCode)
	for _, c := range codes {
		if c != "" && c == got {
			return nil
		}
	}
	return verdict.Deviation(s.probe(), what+" with "+strings.Join(nonEmpty(codes), " or "), "NCSC web guidelines "+clause, s.ex.Response.Status)
}

func (s *webState) requireClientError() error {
	code := s.ex.Response.StatusCode
	if code >= 400 && code < 500 {
		return nil
	}
	return verdict.Deviation(s.probe(), "a 4xx refusal of a malformed request (never 5xx or 2xx)",
		"NCSC web guidelines U/WA.04", s.ex.Response.Status)
}

func (s *webState) requireNoLeak() error {
	if leak := webprobe.LeakedInternals(s.ex.RespBody); leak != "" {
		return verdict.Deviation(s.probe(), "a generic error message", "NCSC web guidelines U/WA.03",
			fmt.Sprintf("the body contains %q", leak))
	}
	return nil
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
