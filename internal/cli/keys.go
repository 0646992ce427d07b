package cli

import (
	"errors"
	"fmt"
	flag "github.com/spf13/pflag"
	"io"
	"os"
	"path/filepath"

	"github.com/apisec/apisec/harness/report"
)

// cmdKeys manages the operator's persistent manifest-signing key.
func cmdKeys(args []string, stdout io.Writer) error {
	if isHelp(args) {
		return groupHelp(stdout, "keys init [--dir DIR]   make the operator's persistent manifest-signing key", "keys show FILE   print a key's thumbprint")
	}
	if len(args) == 0 {
		return usagef("keys: want init or show")
	}
	switch args[0] {
	case "init":
		fs := newFlags("keys init", "keys init [--dir DIR]", stdout)
		dir := fs.String("dir", "", "folder for "+report.OperatorKeyFile+" (0600) and "+report.OperatorPubFile+" (default $APISEC_KEYS, else the user config folder/apisec)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		d, err := keysDir(*dir)
		if err != nil {
			return err
		}
		thumb, err := report.GenerateOperatorKey(d)
		if err != nil {
			return usagef("keys init: %v", err)
		}
		fmt.Fprintf(stdout, "apisec: operator key written to %s (private, 0600) and %s\n",
			filepath.Join(d, report.OperatorKeyFile), filepath.Join(d, report.OperatorPubFile))
		fmt.Fprintf(stdout, "apisec: key thumbprint (RFC 7638, SHA-256): %s\n", thumb)
		fmt.Fprintf(stdout, "apisec: publish the thumbprint or the public key; sign runs with apisec run --sign-key %s; check with apisec verify DIR --key %s\n",
			filepath.Join(d, report.OperatorKeyFile), filepath.Join(d, report.OperatorPubFile))
		return nil
	case "show":
		fs := newFlags("keys show", "keys show FILE", stdout)
		files, err := parseWithOperands(fs, args[1:])
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return usagef("keys show: want one key file (PEM public or private key, certificate, or JWK)")
		}
		pub, err := report.LoadPublicKey(files[0])
		if err != nil {
			return usagef("keys show: %v", err)
		}
		thumb, err := report.Thumbprint(pub)
		if err != nil {
			return usagef("keys show: %v", err)
		}
		fmt.Fprintln(stdout, thumb)
		return nil
	default:
		return usagef("keys: unknown subcommand %q (want init or show)", args[0])
	}
}

func keysDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv("APISEC_KEYS"); env != "" {
		return env, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", usagef("keys init: no user config folder (%v); pass --dir", err)
	}
	return filepath.Join(cfg, "apisec"), nil
}

// signerFor returns the run's manifest signer: the operator key of
// --sign-key (else $APISEC_SIGN_KEY), or a key made for this run only.
func signerFor(flagValue string) (*report.Signer, error) {
	path := flagValue
	if path == "" {
		path = os.Getenv("APISEC_SIGN_KEY")
	}
	if path == "" {
		return report.NewRunSigner()
	}
	s, err := report.LoadSigner(path)
	if err != nil {
		return nil, usagef("--sign-key: %v", err)
	}
	return s, nil
}

func cmdVerify(args []string, stdout io.Writer) error {
	fs := newFlags("verify", "verify DIR [--key PUB | --thumbprint T]", stdout)
	keyPath := fs.String("key", "", "the operator's public key (PEM, certificate or JWK): fail unless the manifest is signed by it")
	thumb := fs.String("thumbprint", "", "the operator's key thumbprint (RFC 7638 SHA-256, base64url or hex): fail unless the manifest is signed by that key")
	dirs, err := parseWithOperands(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return usagef("verify: want one result folder")
	}
	dir := dirs[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("verify: %s is not a result folder", dir)
	}
	var pin report.Pin
	switch {
	case *keyPath != "" && *thumb != "":
		return usagef("verify: give --key or --thumbprint, not both")
	case *keyPath != "":
		if pin.Key, err = report.LoadPublicKey(*keyPath); err != nil {
			return usagef("--key: %v", err)
		}
	case *thumb != "":
		if err := report.CheckThumbprint(*thumb); err != nil {
			return usagef("--thumbprint: %v", err)
		}
		pin.Thumbprint = *thumb
	}
	v, err := report.VerifyFolder(dir, pin)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if v.Pinned {
		fmt.Fprintf(stdout, "apisec: %s verified: signed by the pinned key %s; every file matches the manifest; results.json's verdicts are the ones its scenario results make\n", dir, v.Thumbprint)
		return nil
	}
	fmt.Fprintf(stdout, "apisec: %s: integrity verified: every file matches the manifest; results.json's verdicts are the ones its scenario results make\n", dir)
	fmt.Fprintf(stdout, "apisec: WARNING: INTEGRITY ONLY, NOT WHO SIGNED. No key is pinned: the manifest is signed by key %s (%s, as the folder itself says), and anyone can re-sign an edited folder with a key of their own. Compare that thumbprint with the one the operator published, or run: apisec verify %s --key OPERATOR.pub.pem (or --thumbprint T)\n",
		v.Thumbprint, v.Origin, dir)
	return nil
}

// parseWithOperands parses flags that may come before or after the
// operands ("verify DIR --key K"), which the flag package alone does not.
func parseWithOperands(fs *flag.FlagSet, args []string) ([]string, error) {
	help := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args) // pflag takes flags before and after operands
	fs.Usage = help
	if errors.Is(err, flag.ErrHelp) {
		help()
		return nil, flag.ErrHelp
	}
	if err != nil {
		return nil, usagef("%s: %v", fs.Name(), err)
	}
	return fs.Args(), nil
}

// signedBy is the run's closing line about its manifest key.
func signedBy(s *report.Signer) string {
	if s.Origin == report.KeyOperator {
		return fmt.Sprintf("manifest signed by the operator key %s; check with apisec verify DIR --key %s", s.Thumbprint, report.OperatorPubFile)
	}
	return fmt.Sprintf("manifest signed by a per-run key %s (no --sign-key): note this thumbprint now; without an operator key apisec verify proves integrity only", s.Thumbprint)
}
