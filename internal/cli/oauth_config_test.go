package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/harness/verdict"
)

// TestOAuthConfigurationErrors: a missing OAuth signing key and an http://
// token endpoint on a host that is not loopback are configuration errors
// (exit 2, one line) in run and --check, before anything is sent.
func TestOAuthConfigurationErrors(t *testing.T) {
	for _, tc := range []struct{ name, oauth, want string }{
		{"missing signing key", "  token_endpoint: https://api.example.test/t\n  signing_key: gone.pem\n", "oauth.signing_key: cannot read"},
		{"plaintext token endpoint", "  token_endpoint: http://api.example.test/t\n  signing_key: gone.pem\n", "will not send credentials in plaintext"},
	} {
		for _, mode := range []string{"run", "--check"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				dir := t.TempDir()
				p := filepath.Join(dir, "profile.yaml")
				body := "version: 1\ntarget:\n  name: t\n  base_url: https://api.example.test/\n  interfaces: [rest]\n" +
					"oauth:\n  issuer: https://api.example.test\n  client_id: c\n" + tc.oauth
				require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
				args := []string{"--profile", p}
				if mode == "--check" {
					args = append(args, "--check")
				}
				code, _, stderr, _ := runArgs(t, args...)
				assert.Equal(t, verdict.ExitUsage, code)
				assert.Contains(t, stderr, tc.want)
				assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
			})
		}
	}
}
