// Package cli implements the apisec commands so tests can drive them in
// process; cmd/apisec only wires signals and the exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	flag "github.com/spf13/pflag"
	"io"
	"os"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

const usage = `apisec — conformance suite for the API security rules of the Nictiz API requirements

Usage:
  apisec run [--profile FILE] [--rules IDS] [--level OA|TSA|FSA] [--out DIR]   test a target (no profile: the embedded reference target)
  apisec rules [--json]                           the rule catalogue and what is automated
  apisec reference serve --addr HOST:PORT [--defect NAME]... [--profile-out DIR]
  apisec reference defects [--json]               the reference target's named defects
  apisec report DIR                               re-render the human reports from DIR/results.json
  apisec verify DIR [--key PUB | --thumbprint T]  check DIR against its signed manifest (and the operator's key) and recompute its verdicts
  apisec declare --role ROLE --rules IDS --key KEY --target URL [--out FILE]
  apisec certs init [--dir DIR]                   generate the throw-away test PKI
  apisec keys init [--dir DIR] | keys show FILE   make the operator's persistent manifest-signing key; print a key's thumbprint

Exit codes: 0 claimed level achieved, 1 not achieved, 2 usage or configuration error, 3 incomplete.
Run "apisec COMMAND --help" for the flags of a command.
`

// usageError is a mistake in the command line or configuration: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Main runs one command and returns its exit code. Errors are printed as one
// line; nothing here panics on bad input.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "apisec: internal error: %v\n", r)
			code = verdict.ExitUsage
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return verdict.ExitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	code = 0
	switch cmd {
	case "run":
		code, err = cmdRun(ctx, rest, stdout, stderr)
	case "rules":
		err = cmdRules(rest, stdout)
	case "reference":
		err = cmdReference(ctx, rest, stdout, stderr)
	case "report":
		err = cmdReport(rest, stdout)
	case "verify":
		err = cmdVerify(rest, stdout)
		if err != nil && !errors.As(err, new(usageError)) {
			code = verdict.ExitNotAchieved // the folder was changed: a failed check, not a usage error
		}
	case "declare":
		err = cmdDeclare(rest, stdout)
	case "keys":
		err = cmdKeys(rest, stdout)
	case "certs":
		err = cmdCerts(rest, stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, "apisec", BuildVersion())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usagef("unknown command %q (run apisec --help)", cmd)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "apisec: "+oneLine(err.Error()))
		var ue usageError
		if errors.As(err, &ue) || code == 0 {
			return verdict.ExitUsage
		}
	}
	return code
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// newFlags makes a flag set that prints its help to stdout and returns
// errors instead of exiting.
func newFlags(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fs.SetOutput(out)
		fmt.Fprintf(out, "Usage: apisec %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses GNU-style flags (spf13/pflag: --flag, -h, flags before or
// after operands). Help is printed once, on stdout; a flag error is one
// line on stderr and exit 2, never the whole usage.
func parse(fs *flag.FlagSet, args []string) error {
	help := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = help
	if errors.Is(err, flag.ErrHelp) {
		help()
		return flag.ErrHelp
	}
	if err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 && fs.Name() != "report" && fs.Name() != "verify" {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Type() string   { return "NAME" }
func (m *multiFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*m = append(*m, p)
		}
	}
	return nil
}

func certsDir(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv("APISEC_CERTS"); env != "" {
		return env
	}
	return "certs"
}

// isHelp reports whether a subcommand group was asked for help
// ("apisec reference --help").
func isHelp(args []string) bool {
	return len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help")
}

// groupHelp prints a subcommand group's usage and ends like --help does.
func groupHelp(stdout io.Writer, lines ...string) error {
	fmt.Fprintln(stdout, "Usage:")
	for _, l := range lines {
		fmt.Fprintln(stdout, "  apisec "+l)
	}
	fmt.Fprintln(stdout, "\nEach subcommand takes --help.")
	return flag.ErrHelp
}
