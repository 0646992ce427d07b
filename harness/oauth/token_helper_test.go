package oauth_test

import (
	"context"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
)

func TestTokenHelpersGetTokensInBothAudienceProfiles(t *testing.T) {
	for _, mode := range []string{oauth.AudRFC7523, oauth.AudRFC7523bis} {
		ref := startReference(t, refOpts{mode: mode})
		c := &oauth.Client{HTTP: ref.srv.Client(), BodyCap: oauth.DefaultBodyCap}
		ctx := context.Background()
		cc, err := oauth.ClientCredentialsToken(ctx, c, ref.oauth, ref.key, "system/AuditEvent.read", time.Now)
		if err != nil || cc == "" {
			t.Fatalf("%s: client credentials: %v", mode, err)
		}
		user, err := oauth.GrantToken(ctx, c, ref.oauth, ref.key, "test-user", "", time.Now)
		if err != nil {
			t.Fatalf("%s: grant: %v", mode, err)
		}
		tok, err := jose.ParseCompact(user)
		if err != nil {
			t.Fatal(err)
		}
		if sub := tok.ClaimString("sub"); sub != "test-user" {
			t.Errorf("%s: the grant's token is for %q, want the test user", mode, sub)
		}
	}
}

func TestTokenHelpersReportARefusalAsAFinding(t *testing.T) {
	ref := startReference(t, refOpts{})
	c := &oauth.Client{HTTP: ref.srv.Client(), BodyCap: oauth.DefaultBodyCap}
	o := *ref.oauth
	o.ClientID = "unknown-client"
	_, err := oauth.ClientCredentialsToken(context.Background(), c, &o, ref.key, "", time.Now)
	if st, _ := verdict.Classify(err); st != verdict.Fail {
		t.Errorf("an unknown client: want a refusal finding, got %v (%v)", st, err)
	}
	if _, err := oauth.GrantToken(context.Background(), c, ref.oauth, ref.key, "", "", time.Now); err == nil {
		t.Error("a grant without subject must not be sent")
	}
	if _, err := oauth.ClientCredentialsToken(context.Background(), &oauth.Client{}, ref.oauth, ref.key, "", time.Now); err == nil {
		t.Error("no HTTP client must be an error")
	}
}
