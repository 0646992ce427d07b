package authmodel

import (
	"encoding/json"
	"testing"

	"github.com/apisec/apisec/harness/oauth"
)

// FuzzTargetDocuments: metadata and resource bodies come from the target;
// the checks that read them must never panic.
func FuzzTargetDocuments(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://a","grant_types_supported":["x"],"m":{"k":["a/b?c=d"]}}`), "authentication: did:web:%zz")
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"identifier":[{"system":1}]}}]}`), "identification: BSN")
	f.Add([]byte(`[1,2,{"identifier":null}]`), "none: x")
	f.Fuzz(func(t *testing.T, body []byte, entry string) {
		var obj map[string]any
		_ = json.Unmarshal(body, &obj)
		d := &oauth.Discovery{AS: &oauth.Doc{URL: "u", Obj: obj}}
		_, _ = MetadataValid(d, "https://a")
		_ = RegisteredValues(d)
		_ = OneModelForAllClients(d, []string{"a", entry})
		_ = identifierSystems(body)
		_ = SameTokens(entry, string(body))
		decl, _, _ := ParseGenericFunctions([]string{entry})
		for _, x := range decl {
			_ = Judge(x, Observed{Discovery: d, Resource: body})
		}
		_, _ = DIDURL(entry)
	})
}
