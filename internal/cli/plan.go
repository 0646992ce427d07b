package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/webprobe"
	"github.com/apisec/apisec/harness/wssec"
)

// printPlan lists, without contacting anything, the probes a run of these
// rules would send and how many requests each may make; the run never sends
// more than this (the OAuth run checks every send against its plan).
func printPlan(w io.Writer, prof *profile.Profile, rules []catalogue.Rule) error {
	inScope := func(id string) bool {
		return slices.ContainsFunc(rules, func(r catalogue.Rule) bool { return r.ID == id })
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tPROBE\tREQUESTS\tEXPECT\tCLAUSE")
	total := 0
	var plan []oauth.Probe
	if prof.HasInterface("rest") {
		plan = oauth.Plan(prof.OAuth)
	}
	for _, p := range plan {
		if !inScope(p.Rule) {
			continue
		}
		total += p.Requests
		expect := p.Expect
		if p.Skipped != "" {
			expect = "not sent: " + p.Skipped
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", p.Rule, p.ID, p.Requests, expect, p.Clause)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nOAuth/JOSE probes: %d request(s) at most", total)
	if prof.OAuth == nil {
		fmt.Fprint(w, " (the profile has no oauth section)")
	}
	fmt.Fprintln(w)
	if prof.SOAP != nil && prof.HasInterface("soap") && (inScope(wssec.RuleWSS) || inScope(wssec.RuleSAML)) {
		soap := 0
		if prof.SOAP.WSDLIsURL() {
			soap = 1 // the WSDL is read once to build the request
		}
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nRULE\tPROBE\tREQUESTS\tEXPECT\tCLAUSE")
		for _, rule := range []string{wssec.RuleWSS, wssec.RuleSAML} {
			if !inScope(rule) {
				continue // a rule out of scope sends nothing
			}
			for _, p := range wssec.Plan(rule) {
				soap += p.Requests
				expect := make([]string, len(p.Expect))
				for i, q := range p.Expect {
					expect[i] = q.String()
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", p.Rule, p.ID, p.Requests, strings.Join(expect, " or "), p.Clause)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nSOAP WS-Security/SAML probes: %d request(s) at most (WSDL read and every header layout of the controls included)\n", soap)
	}
	if err := printWebPlan(w, prof, inScope); err != nil {
		return err
	}
	if inScope("SC004") || inScope("SC004.001") {
		fmt.Fprintf(w, "SC004/SC004.001: one TLS scan per endpoint (%d endpoint(s)), handshakes bounded by limits.max_requests\n", len(prof.TLS.Endpoints))
		reneg := "one client-initiated renegotiation per endpoint (limits.dos_probes is off: whether it is limited is not tested)"
		if prof.Limits.DoSProbes {
			reneg = "up to 11 client-initiated renegotiations on one connection per endpoint (limits.dos_probes)"
		}
		fmt.Fprintf(w, "SC004/SC004.001: %s\n", reneg)
	}
	fmt.Fprintf(w, "Whole run: at most %d requests and handshakes (limits.max_requests); per host %.0f per second and %d in flight; %s deadline each\n",
		prof.Limits.MaxRequests, prof.Limits.RatePerSecond, prof.Limits.ConnectionsPerHost, prof.Timeout())
	return nil
}

// printWebPlan lists the NCSC web-guideline probes (SC002, SC003) and the
// declared-model checks (SC006, SC007, SC009) in scope.
func printWebPlan(w io.Writer, prof *profile.Profile, inScope func(string) bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nRULE\tPROBE\tREQUESTS\tINTERNET.NL\tNCSC\tOUTCOME")
	total := 0
	for _, p := range webprobe.Catalogue() {
		if !inScope(p.Rule) {
			continue
		}
		total += p.Requests
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", p.Rule, p.ID, p.Requests, p.InternetNL, p.NCSC, p.Outcome)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nNCSC web-guideline probes: %d request(s) at most to %s (answers shared between probes are sent once)\n", total, prof.Target.BaseURL)
	if inScope("SC006") || inScope("SC007") || inScope("SC009") {
		fmt.Fprintln(w, "SC006/SC007/SC009: read the OAuth batch's metadata and JWKS; SC006 adds 2 token requests and 1 resource request, SC009 one request per declared did:web and one handshake when UZI/PKIoverheid is declared")
	}
	return nil
}
