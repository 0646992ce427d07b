package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/harness/atomicfile"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/report"
)

func cmdRules(args []string, stdout io.Writer) error {
	fs := newFlags("rules", "rules [--json]", stdout)
	asJSON := fs.Bool("json", false, "print the catalogue as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	rules := catalogue.Default().Rules()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rules)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tNORM\tLEVELS\tROLE\tAUTOMATION\tTITLE")
	for _, r := range rules {
		levels := make([]string, len(r.Levels))
		for i, l := range r.Levels {
			levels[i] = l.String()
		}
		auto := string(r.Automation)
		if r.Reason != "" {
			auto += " (" + r.Reason
			if r.Issue != 0 {
				auto += fmt.Sprintf(", issue #%d", r.Issue)
			}
			auto += ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Normative, strings.Join(levels, ","), r.Role, auto, r.Title)
	}
	return tw.Flush()
}

func cmdReference(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if isHelp(args) {
		return groupHelp(stdout, "reference serve --addr HOST:PORT [--defect NAME]... [--profile-out DIR] [--host NAME]   the reference target as a server", "reference defects [--json]   its named defects and the rules each breaks")
	}
	if len(args) == 0 {
		return usagef("reference: want serve or defects")
	}
	switch args[0] {
	case "defects":
		fs := newFlags("reference defects", "reference defects [--json]", stdout)
		asJSON := fs.Bool("json", false, "print as JSON")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(reference.Defects())
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DEFECT\tBREAKS\tDESCRIPTION")
		for _, d := range reference.Defects() {
			desc := d.Description
			if d.Needs != "" {
				desc += " [not noticed by the default run: needs " + d.Needs + "]"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, strings.Join(d.Breaks, ","), desc)
		}
		return tw.Flush()
	case "serve":
		fs := newFlags("reference serve", "reference serve --addr HOST:PORT [--defect NAME]... [--profile-out DIR] [--host NAME]", stdout)
		addr := fs.String("addr", "127.0.0.1:8443", "listen address")
		profileOut := fs.String("profile-out", "", "folder to write profile.yaml, the test CA and the test declarations into")
		host := fs.String("host", "", "host name the profile names and the certificate carries (default: the listen IP)")
		certs := fs.String("certs", "", "folder of the throw-away test PKI (default $APISEC_CERTS or ./certs)")
		var defects multiFlag
		fs.Var(&defects, "defect", "break the target in this named way (repeatable)")
		callback := fs.String("callback-url", "", "where this target reaches the suite's recorder (written into the profile as oauth.callback_url; compose: http://suite:8099)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if err := reference.CheckDefects(defects); err != nil {
			return usagef("--defect: %v", err)
		}
		set, err := pki.Init(certsDir(*certs))
		if err != nil {
			return usagef("%v", err)
		}
		var hosts []string
		if *host != "" {
			hosts = append(hosts, *host)
		}
		ref, err := reference.Start(ctx, reference.Config{Addr: *addr, Hosts: hosts, PublicHost: *host, Defects: defects, PKI: set, CallbackURL: *callback})
		if err != nil {
			return usagef("%v", err)
		}
		if *profileOut != "" {
			path, err := ref.WriteProfile(*profileOut)
			if err != nil {
				ref.Close()
				return err
			}
			fmt.Fprintf(stdout, "apisec reference: profile written to %s\n", path)
		}
		fmt.Fprintf(stdout, "apisec reference: serving %s (defects: %s)\n", ref.BaseURL(), orNone(defects))
		return ref.Wait()
	default:
		return usagef("reference: unknown subcommand %q (want serve or defects)", args[0])
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func cmdReport(args []string, stdout io.Writer) error {
	fs := newFlags("report", "report DIR", stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("report: want one result folder")
	}
	res, err := report.Read(fs.Arg(0))
	if err != nil {
		return usagef("%v", err)
	}
	// Never render verdicts the scenario results do not make (recompute.go).
	if err := report.Recompute(res); err != nil {
		return usagef("report: %s/%s refused: %v", fs.Arg(0), report.ResultsFile, err)
	}
	if err := report.Render(fs.Arg(0), res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "apisec: verdicts recomputed from the scenario results; re-rendered %s, %s, %s and %s in %s\n", report.SummaryFile, report.JUnitFile, report.HTMLFile, report.DeclarationFile, fs.Arg(0))
	return nil
}

func cmdDeclare(args []string, stdout io.Writer) error {
	fs := newFlags("declare", "declare --role ROLE --rules IDS --key KEY --target URL [--declarant NAME] [--days N] [--out FILE]", stdout)
	role := fs.String("role", "", "specifier, developer or deployer")
	rules := fs.String("rules", "", "comma-separated rule ids the role declares met")
	keyPath := fs.String("key", "", "PEM private key of the role")
	target := fs.String("target", "", "base URL of the deployment the declaration covers")
	declarant := fs.String("declarant", "", "who answers for the role (default: the role's title)")
	days := fs.Int("days", 365, "validity in days")
	remarks := fs.String("remarks", "", "evidence or remarks, at most 1000 characters")
	out := fs.String("out", "", "write the compact JWS here (default: stdout)")
	if err := parse(fs, args); err != nil {
		return err
	}
	r, err := catalogue.ParseRole(*role)
	if err != nil {
		return usagef("--role: %v", err)
	}
	var ids multiFlag
	_ = ids.Set(*rules)
	selected, err := catalogue.Default().Select(ids)
	if err != nil || len(selected) == 0 {
		return usagef("--rules: %v", orEmpty(err, "no rule given"))
	}
	for _, rule := range selected {
		if rule.Role != r {
			return usagef("--rules: %s belongs to the %s, not the %s", rule.ID, rule.Role.Title(), r.Title())
		}
	}
	if *keyPath == "" || *target == "" {
		return usagef("declare: --key and --target are required")
	}
	if u, err := url.Parse(*target); err != nil || u.Scheme != "https" || u.Host == "" {
		return usagef("declare: --target must be the deployment's https:// base URL, not %q", *target)
	}
	raw, err := os.ReadFile(*keyPath)
	if err != nil {
		return usagef("--key: cannot read %s", *keyPath)
	}
	key, err := pki.ParsePrivateKeyPEM(raw)
	if err != nil {
		return usagef("--key: %v", err)
	}
	if *declarant == "" {
		*declarant = r.Title()
	}
	now := time.Now().UTC().Truncate(time.Second)
	st := declare.Statement{Version: 1, Role: r, Target: *target, Declarant: *declarant, IssuedAt: now,
		ExpiresAt: now.Add(time.Duration(*days) * 24 * time.Hour), Remarks: *remarks}
	for _, rule := range selected {
		st.Rules = append(st.Rules, rule.ID)
	}
	jws, err := declare.Sign(st, key)
	if err != nil {
		return usagef("declare: %v", err)
	}
	if *out == "" {
		_, err = fmt.Fprintln(stdout, jws)
		return err
	}
	return atomicfile.Write(*out, []byte(jws+"\n"), 0o644)
}

func orEmpty(err error, msg string) string {
	if err != nil {
		return err.Error()
	}
	return msg
}

func cmdCerts(args []string, stdout io.Writer) error {
	if isHelp(args) {
		return groupHelp(stdout, "certs init [--dir DIR]   generate the throw-away test PKI")
	}
	if len(args) == 0 || args[0] != "init" {
		return usagef("certs: want init")
	}
	fs := newFlags("certs init", "certs init [--dir DIR]", stdout)
	dir := fs.String("dir", "", "folder (default $APISEC_CERTS or ./certs)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	set, err := pki.Init(certsDir(*dir))
	if err != nil {
		return err
	}
	// The same keys a first run makes: the WS-Security client and the SAML
	// issuer are part of the test PKI too.
	for _, c := range []struct{ name, cn string }{
		{pki.WSSClientName, "apisec suite WS-Security client (TEST)"},
		{pki.SAMLIssuerName, "apisec suite SAML issuer (TEST)"},
	} {
		if _, err := set.XMLCredential(c.name, c.cn, time.Now()); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "apisec: test PKI ready in %s (CA %q, private keys 0600, git-ignored)\n", set.Dir, set.CA.Subject.CommonName)
	return nil
}
