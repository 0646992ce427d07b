@SC-R003 @must @level:TSA @level:FSA @role:specifier
Feature: SC-R003 JWTs for client authentication and grants follow RFC 7515 and RFC 7518
  JWT tokens used for client authentication and authorization grants MUST
  comply with RFC 7515 and RFC 7518, or its successors.

  Each probe is the valid client assertion with one JOSE-level change (alg
  none in four spellings, key confusion, crit, jwk/jku/x5u/x5c, malformed
  base64url and JSON, psychic and mis-encoded ECDSA signatures), sent between
  the SC-R001 positive controls. Only the refusal counts here; the error code
  is judged under SC-R001. A 5xx fails (medium). Accepting an unsigned or
  wrongly signed assertion, grant or access token is critical; any other
  acceptance high (docs/severity.md). jku and x5u point at the suite's own
  server, which records whether the target fetched them; a fetch is a
  finding whatever the positive control after the batch shows. Against a
  target that is not on loopback the suite can see a fetch only through a
  callback the target reaches (oauth.callback_url): without one these two
  probes are "could not test: no reachable callback", never a pass. Probes
  that do not fit the registered key (ECDSA encodings on an RSA key) are
  not applicable; a server without a jwks_uri (RFC 8414 §2: OPTIONAL) makes
  the JWKS checks not applicable.

  Scenario Outline: metadata: <behaviour>
    Given the authorization server's metadata
    When it is checked by probe "<probe>"
    Then the check holds

    Examples:
      | probe                    | behaviour                                       |
      | md/jwks-public-keys-only | the JWKS holds public keys only                 |
      | md/jwks-key-strength     | RSA keys in the JWKS have at least 2048 bits    |
      | md/jwks-consistent       | JWKS keys have unique kids and sane use and alg |

  Scenario Outline: assertion refused: <behaviour>
    Given a valid client assertion for the registered client
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint refuses it

    Examples:
      | probe                              | behaviour                                                                                   |
      | ca/rsa-1024-bit-key                | an assertion signed by a 1024-bit RSA key the client published is refused                   |
      | ca/without-alg                     | an assertion without alg is refused                                                         |
      | ca/crit-unknown                    | an assertion with an unknown critical extension is refused                                  |
      | ca/crit-unknown-absent             | an assertion listing an absent unknown extension in crit is refused                         |
      | ca/duplicate-header-alg            | an assertion whose header repeats alg with "none" last is refused                           |
      | ca/header-trailing-comma           | an assertion whose header is not valid JSON is refused                                      |
      | ca/header-array                    | an assertion whose header is a JSON array is refused                                        |
      | ca/header-string                   | an assertion whose header is a JSON string is refused                                       |
      | ca/utf16-json                      | an assertion encoded in UTF-16 is refused                                                   |
      | ca/nested-jwt-inner-invalid        | a nested JWT whose inner signature is invalid is refused                                    |
      | ca/base64-padded                   | an assertion with base64 padding is refused                                                 |
      | ca/base64-standard-alphabet        | an assertion in the +/ base64 alphabet is refused                                           |
      | ca/base64-line-break               | an assertion with a line break is refused                                                   |
      | ca/base64-garbage                  | an assertion with a character outside base64url is refused                                  |
      | ca/json-serialization-flattened    | a flattened JWS JSON serialization is refused                                               |
      | ca/json-serialization-general      | a general JWS JSON serialization is refused                                                 |
      | ca/alg-none                        | an unsigned assertion with alg "none" is refused                                            |
      | ca/alg-None                        | an unsigned assertion with alg "None" is refused                                            |
      | ca/alg-NONE                        | an unsigned assertion with alg "NONE" is refused                                            |
      | ca/alg-nOnE                        | an unsigned assertion with alg "nOnE" is refused                                            |
      | ca/alg-none-signature-kept         | an assertion relabelled alg "none" with its signature kept is refused                       |
      | ca/alg-swap                        | an assertion signed with another algorithm of the registered key is refused                 |
      | ca/alg-key-type-mismatch           | an assertion whose alg does not fit the key type is refused                                 |
      | ca/es384-on-p256                   | an ES384 assertion made with a P-256 key is refused                                         |
      | ca/ecdsa-zero-signature            | an assertion with the all-zero ECDSA signature is refused                                   |
      | ca/ecdsa-zero-signature-der        | an assertion with the DER all-zero ECDSA signature is refused                               |
      | ca/ecdsa-der-signature             | an assertion whose ECDSA signature is DER-encoded is refused                                |
      | ca/signature-truncated             | an assertion whose signature is one octet short is refused                                  |
      | ca/signature-extended              | an assertion whose signature is one octet long is refused                                   |
      | ca/hs256-keyed-with-public-key-pem | HS256 keyed with the client's PEM public key is refused                                     |
      | ca/hs256-keyed-with-public-key-der | HS256 keyed with the client's DER public key is refused                                     |
      | ca/hs256-keyed-with-public-key-jwk | HS256 keyed with the client's JWK public key is refused                                     |
      | ca/embedded-jwk                    | an assertion that brings its own key in jwk is refused                                      |
      | ca/jku                             | an assertion whose jku points at the suite's JWKS is refused and the URL not fetched        |
      | ca/x5u                             | an assertion whose x5u points at the suite's certificate is refused and the URL not fetched |
      | ca/x5c-self-signed                 | an assertion carrying a self-signed certificate in x5c is refused                           |
      | ca/kid-path-traversal              | a kid path traversal with an empty HMAC key is refused                                      |
      | ca/kid-dev-null                    | a kid of /dev/null with an empty HMAC key is refused                                        |
      | ca/kid-sql-injection               | a kid SQL injection with HMAC key "1" is refused                                            |
      | ca/kid-command-injection           | a kid command injection is refused without delay                                            |

  Scenario Outline: grant refused: <behaviour>
    Given a valid JWT authorization grant for the configured subject
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint refuses it

    Examples:
      | probe       | behaviour                                                           |
      | gr/alg-none | an unsigned JWT grant with alg "none" is refused with invalid_grant |

  Scenario Outline: resource: <behaviour>
    Given an access token issued to the registered client
    When the resource is requested as probe "<probe>"
    Then the resource refuses it

    Examples:
      | probe                             | behaviour                                                            |
      | rs/tampered-claims                | an access token whose claims were changed is refused                 |
      | rs/signature-flipped              | an access token with a corrupted signature is refused                |
      | rs/alg-none                       | an access token re-issued with alg "none" is refused                 |
      | rs/embedded-jwk                   | an access token re-signed by a foreign key carried in jwk is refused |
      | rs/hs256-keyed-with-as-public-key | an access token re-signed HS256 with the AS's public key is refused  |
