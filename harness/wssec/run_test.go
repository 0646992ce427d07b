package wssec

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/verdict"
)

func runAgainst(t *testing.T, h http.HandlerFunc) *Report {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rep, err := Run(context.Background(), Config{Endpoint: srv.URL, Version: SOAP11, HTTP: srv.Client(), Client: testCred(t, "c"),
		SAMLIssuer: testCred(t, "i"), Issuer: "urn:i", Audience: srv.URL, PatientID: "123", Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func status(rep *Report, id string) verdict.Status {
	res, _ := rep.Result(id)
	st, _ := verdict.Classify(res.Err)
	return st
}

// An endpoint that does not implement WS-Security answers MustUnderstand to
// the valid envelope: that is the SC-S001 finding (a warning), and the
// negative probes are inconclusive, not passes.
func TestMustUnderstandMeansNoWSSecurity(t *testing.T) {
	rep := runAgainst(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write(FaultEnvelope(SOAP11, QName{NSS11, "MustUnderstand"}, "wsse:Security not understood"))
	})
	if st := status(rep, ControlBefore); st != verdict.Warn {
		t.Errorf("control: %s, want warn", st)
	}
	for _, m := range S001 {
		if st := status(rep, m.Name); st != verdict.Error {
			t.Errorf("%s: %s, want error (inconclusive)", m.Name, st)
		}
	}
}

// An endpoint that processes everything: the controls pass and every
// negative probe is a warning that names its clause.
func TestAcceptingEverythingWarnsEveryProbe(t *testing.T) {
	rep := runAgainst(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`<s:Envelope xmlns:s="` + NSS11 + `"><s:Body><p:GetPatientResponse xmlns:p="` + NSPatient + `"/></s:Body></s:Envelope>`))
	})
	if status(rep, ControlBefore) != verdict.Pass || status(rep, ControlAfter) != verdict.Pass {
		t.Fatal("controls should pass")
	}
	for _, m := range append(append([]Mutation{}, S001...), S002...) {
		res, _ := rep.Result(m.Name)
		if st := status(rep, m.Name); st != verdict.Warn || !strings.Contains(res.Err.Error(), m.Clause) {
			t.Errorf("%s: %s (%v), want a warning citing %q", m.Name, st, res.Err, m.Clause)
		}
	}
}

// After an accepted control, a fault with a generic code (soap:Server) is
// not a security refusal: a warning, never a pass.
func TestGenericFaultIsNotASecurityRefusal(t *testing.T) {
	var n atomic.Int64
	rep := runAgainst(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			_, _ = w.Write([]byte(`<s:Envelope xmlns:s="` + NSS11 + `"><s:Body><p:GetPatientResponse xmlns:p="` + NSPatient + `"/></s:Body></s:Envelope>`))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write(FaultEnvelope(SOAP11, QName{NSS11, "Server"}, "NullPointerException"))
	})
	for _, m := range append(append([]Mutation{}, S001...), S002...) {
		want := verdict.Warn
		if m.Replay {
			want = verdict.Error // its first copy was refused: inconclusive
		}
		if st := status(rep, m.Name); st != want {
			res, _ := rep.Result(m.Name)
			t.Errorf("%s: %s (%v), want %s", m.Name, st, res.Err, want)
		}
	}
}
