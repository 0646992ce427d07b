package catalogue

var (
	allLevels = []Level{OA, TSA, FSA}
	fromTSA   = []Level{TSA, FSA}
	onlyFSA   = []Level{FSA}
	reasonTLS = "TLS scanner and NCSC grader not built yet"
)

// Default is the chapter as the seed text has it. It is rebuilt on each call
// so no caller can change another's copy.
func Default() Catalogue {
	return Catalogue{rules: []Rule{
		{
			ID: "SC001", Title: "API specifications MUST comply with Dutch NCSC guidelines for web applications",
			Normative: Must, Levels: allLevels, Role: Specifier, Interface: Generic,
			Check:      "signed declaration by the specifier + NCSC web-guideline probes as evidence",
			Automation: Declared,
		},
		{
			ID: "SC002", Title: "API implementations MUST comply with Dutch NCSC guidelines for web applications",
			Normative: Must, Levels: allLevels, Role: Developer, Interface: Generic,
			Check:      "signed declaration by the server developer + NCSC web-guideline probes",
			Automation: Declared,
		},
		{
			ID: "SC003", Title: "API deployments MUST comply with Dutch NCSC guidelines for web applications",
			Normative: Must, Levels: allLevels, Role: Deployer, Interface: Generic,
			Check:      "signed declaration by the server deployer + NCSC web-guideline probes",
			Automation: Declared,
		},
		{
			ID: "SC004", Title: "API deployments MUST comply with Dutch NCSC guidelines for Transport Layer Security",
			Normative: Must, Levels: allLevels, Role: Deployer, Interface: Generic,
			Check:      "full TLS scan graded by the NCSC TLS guidelines: nothing Insufficient",
			Automation: Automated,
		},
		{
			ID: "SC004.001", Title: "The status of used TLS versions, algorithms, key size & choice of groups and options SHOULD at least be Sufficient",
			Normative: Should, Levels: allLevels, Role: Deployer, Interface: Generic, Parent: "SC004",
			Check:      "same scan: everything at least Sufficient (Phase out = warning)",
			Automation: Automated,
		},
		{
			ID: "SC005", Title: "An API MUST provide audit logging conforming to NEN 7513",
			Normative: Must, Levels: allLevels, Role: Deployer, Interface: Generic,
			Check:      "act as a known user on a known patient, fetch the audit records, check NEN 7513 content",
			Automation: Automated,
		},
		{
			ID: "SC006", Title: "Specifications for 'System APIs' MUST use authentication and authorization models that are not specific to a use case or (type of) client or user",
			Normative: Must, Levels: fromTSA, Role: Specifier, Interface: Generic,
			Check:      "signed declaration by the specifier + checks that the auth model is standard (metadata, no client-specific endpoints)",
			Automation: Declared,
		},
		{
			ID: "SC007", Title: "APIs MUST use fully standardized models for identification and authentication",
			Normative: Must, Levels: onlyFSA, Role: Specifier, Interface: Generic,
			Check:      "signed declaration by the specifier + checks of standard identification/authentication (OAuth/OIDC metadata)",
			Automation: Declared,
		},
		{
			ID: "SC008", Title: "All tokens used for client authentication MUST be signed using asymmetrical encryption",
			Normative: Must, Levels: fromTSA, Role: Specifier, Interface: Generic,
			Check:      "client-auth tokens signed with symmetric keys (HS*, client_secret_jwt) are refused and not advertised",
			Automation: Automated,
		},
		{
			ID: "SC009", Title: "When generic services/functions are nationally prescribed for use, APIs MUST use these generic services/functions",
			Normative: Must, Levels: fromTSA, Role: Specifier, Interface: Generic,
			Check:      "signed declaration naming the national generic functions used + observable signals",
			Automation: Declared,
		},
		{
			ID: "SC-S001", Title: "APIs SHOULD use WS-Security to ensure message confidentiality and integrity for adding security tokens",
			Normative: Should, Levels: fromTSA, Role: Specifier, Interface: SOAP,
			Check:      "valid and malformed WS-Security envelopes (signature, timestamp, replay, wrapping, XXE); XML Encryption (confidentiality) is not probed yet",
			Automation: Automated,
		},
		{
			ID: "SC-S002", Title: "APIs SHOULD use the SAML Token Security Model",
			Normative: Should, Levels: fromTSA, Role: Specifier, Interface: SOAP,
			Check:      "SAML 2.0 token probes (issuer signature and name, holder-of-key binding, unbound sender-vouches, expiry, audience, XSW)",
			Automation: Automated,
		},
		{
			ID: "SC-R001", Title: "APIs MUST comply with RFC 7523 or its successor for client authentication and for requesting OAuth 2 access tokens",
			Normative: Must, Levels: fromTSA, Role: Specifier, Interface: REST,
			Check:      "RFC 7523 client authentication and JWT authorization grant at the token endpoint",
			Automation: Automated,
		},
		{
			ID: "SC-R002", Title: "APIs SHOULD use OpenID Connect to achieve Single-Sign-On when requesting OAuth access tokens",
			Normative: Should, Levels: fromTSA, Role: Specifier, Interface: REST,
			Check:      "OpenID Connect discovery, id_token algorithms, code + PKCE support",
			Automation: Automated,
		},
		{
			ID: "SC-R003", Title: "JWT tokens used for client authentication and authorization grants MUST comply with RFC 7515 and RFC 7518, or its successors",
			Normative: Must, Levels: fromTSA, Role: Specifier, Interface: REST,
			Check:      "JWS/JWA handling: alg none, key confusion, crit, jwk/jku/x5u, weak keys, psychic signatures",
			Automation: Automated,
		},
	}}
}
