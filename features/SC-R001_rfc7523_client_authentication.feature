@SC-R001 @must @level:TSA @level:FSA @role:specifier
Feature: SC-R001 Client authentication and access token requests follow RFC 7523
  APIs MUST comply with RFC 7523 or its successor for client authentication
  and for requesting OAuth 2 access tokens.

  The suite acts as the registered client. Every negative probe is one named
  change to a valid request, sent in one batch between two positive controls
  (the valid assertion is accepted before and after); a refusal only counts
  when both controls passed, while a token issued, a 5xx or a fetched URL
  stays a finding whatever the control after the batch shows. A refused
  control is "could not test" with a hint at the profile field it points
  to (the suite cannot tell a refused valid request from a registration
  that differs from the profile); a control answered with a 5xx fails.

  The audience profile (oauth.audience_profile) decides whether RFC 7523 as
  published or draft-ietf-oauth-rfc7523bis is demanded; either passes, and a
  target meeting only the published RFC gets a warning. When the preferred
  audience of the control is refused, the batch runs with the other one
  RFC 7523 §3 item 3 allows; under rfc7523bis that refusal is the deviation
  ca/aud-issuer and ca/audience-profile report.

  Error codes follow the profile's error-code policy (oauth.error_codes).
  oidf, the default: an assertion that fails client authentication is
  refused with invalid_client, or with invalid_request and a warning, as
  the OpenID Foundation conformance suite accepts (invalid_request is the
  common answer to an assertion that cannot be parsed). strict: RFC 7523
  §3.2 at its word, invalid_client only. Under either policy any other code
  (invalid_grant, unauthorized_client, a private code) fails with severity
  low, and a client_id naming another registered client must be
  invalid_client.

  A 5xx to any probe fails (RFC 6749 §5.2 has no 5xx error), also where the
  target only SHOULD accept. Severity: a token for an expired,
  not-yet-valid, unsigned, wrongly signed or wrongly addressed assertion or
  grant is critical; for any other invalid request high; a 5xx or a broken
  control response medium; a wrong error code, status or format low
  (docs/severity.md). Where the RFCs leave the target a choice (MAY refuse)
  the answer is recorded outside the verdict (info). HTML, redirects,
  stalls and oversized bodies are "could not test". The probe ids are
  listed by `apisec run --dry-run`; the run sends nothing else.

  Scenario Outline: metadata: <behaviour>
    Given the authorization server's metadata
    When it is checked by probe "<probe>"
    Then the check holds

    Examples:
      | probe                         | behaviour                                                              |
      | md/metadata-published         | the authorization server publishes RFC 8414 or OpenID Connect metadata |
      | md/issuer-matches             | the metadata's issuer is the configured issuer                         |
      | md/token-endpoint             | the metadata names the token endpoint under test, over https           |
      | md/private-key-jwt-advertised | private_key_jwt client authentication is advertised                    |
      | md/required-members           | the metadata has its required members and no empty arrays              |
      | md/grant-types                | the grants the suite uses are advertised                               |

  Scenario Outline: control: <behaviour>
    Given a valid client assertion for the registered client
    When it is posted to the token endpoint as probe "<probe>"
    Then the token endpoint issues a token

    Examples:
      | probe             | behaviour                                                             |
      | ca/control-before | the valid client assertion is accepted before the negative batch      |
      | ca/control-after  | the valid client assertion is still accepted after the negative batch |

  Scenario Outline: request refused: <behaviour>
    Given a valid client assertion for the registered client
    When the request around it is changed by probe "<probe>"
    Then the token endpoint refuses it with invalid_client or invalid_request

    Examples:
      | probe                     | behaviour                                                             |
      | ca/assertion-type-unknown | an unknown client_assertion_type is refused                           |
      | ca/assertion-missing      | a client_assertion_type without client_assertion is refused           |
      | ca/client-secret-too      | a client assertion together with client_secret is refused             |
      | ca/basic-auth-too         | a client assertion together with HTTP Basic authentication is refused |

  Scenario Outline: request refused as invalid_client: <behaviour>
    Given a valid client assertion for the registered client
    When the request around it is changed by probe "<probe>"
    Then the token endpoint refuses it with invalid_client

    Examples:
      | probe                       | behaviour                                                             |
      | ca/client-id-mismatch       | a client_id naming another client than the assertion is refused       |
      | ca/no-client-authentication | a client_credentials request without client authentication is refused |

  Scenario Outline: request refused as invalid_client under either policy: <behaviour>
    Given a valid client assertion for the registered client
    When the request around it is changed by probe "<probe>"
    Then the token endpoint refuses it with invalid_client under either error-code policy

    Examples:
      | probe                     | behaviour                                                                   |
      | ca/client-id-other-client | a client_id naming another registered client is refused with invalid_client |

  Scenario Outline: request refused with its own error code: <behaviour>
    Given a valid client assertion for the registered client
    When the request around it is changed by probe "<probe>"
    Then the token endpoint refuses it with "<error>"

    Examples:
      | probe                     | error                  | behaviour                                                             |
      | ca/duplicate-parameter    | invalid_request        | a request with client_assertion twice is refused                      |
      | ca/unsupported-grant-type | unsupported_grant_type | an unknown grant_type is refused with unsupported_grant_type          |
      | ca/password-grant         | unsupported_grant_type | the resource owner password grant is not offered                      |
      | ca/invalid-scope          | invalid_scope          | a scope with a character outside NQCHAR is refused with invalid_scope |

  Scenario Outline: request accepted: <behaviour>
    Given a valid client assertion for the registered client
    When the request around it is changed by probe "<probe>"
    Then the token endpoint issues a token

    Examples:
      | probe                | behaviour                                |
      | ca/unknown-parameter | an unknown request parameter is ignored  |
      | ca/empty-client-id   | an empty client_id is treated as omitted |

  Scenario Outline: request that should be refused: <behaviour>
    Given a valid client assertion for the registered client
    When the request around it is changed by probe "<probe>"
    Then the token endpoint should refuse it

    Examples:
      | probe         | behaviour                                     |
      | ca/get-method | a token request by GET does not yield a token |

  Scenario Outline: assertion refused: <behaviour>
    Given a valid client assertion for the registered client
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint refuses it with invalid_client

    Examples:
      | probe                        | behaviour                                                                                 |
      | ca/two-jwts                  | two JWTs in client_assertion are refused                                                  |
      | ca/jwe-instead-of-jws        | a JWE in client_assertion is refused                                                      |
      | ca/without-iss               | an assertion without iss is refused                                                       |
      | ca/iss-wrong                 | an assertion whose iss is not the client is refused                                       |
      | ca/iss-case                  | an assertion whose iss differs from the client_id in case is refused                      |
      | ca/iss-trailing-space        | an assertion whose iss has a trailing space is refused                                    |
      | ca/without-sub               | an assertion without sub is refused                                                       |
      | ca/sub-wrong                 | an assertion whose sub is not the client_id is refused                                    |
      | ca/iss-not-sub               | an assertion whose sub names another client than iss is refused                           |
      | ca/without-aud               | an assertion without aud is refused                                                       |
      | ca/aud-other-as              | an assertion for another authorization server is refused                                  |
      | ca/aud-case                  | an assertion whose aud differs from the expected one in case is refused                   |
      | ca/aud-trailing-slash        | an assertion whose aud differs from the expected one by a trailing slash is refused       |
      | ca/without-exp               | an assertion without exp is refused                                                       |
      | ca/exp-5m-ago                | an assertion whose exp lies 5 minutes in the past is refused                              |
      | ca/exp-not-numericdate       | an assertion whose exp is not a NumericDate is refused                                    |
      | ca/nbf-10m-ahead             | an assertion whose nbf lies 10 minutes ahead is refused                                   |
      | ca/replay                    | an assertion used a second time is refused                                                |
      | ca/signature-flipped         | an assertion with a corrupted signature is refused                                        |
      | ca/signature-removed         | an assertion with an empty signature segment is refused                                   |
      | ca/unregistered-key          | an assertion signed by a key the client never registered is refused                       |
      | ca/attacker-key-unknown-kid  | an assertion signed by an unregistered key under an unknown kid is refused                |
      | ca/foreign-client-key        | an assertion signed by another registered client's key under that client's kid is refused |
      | ca/duplicate-iss             | an assertion with a second, wrong iss member is refused                                   |
      | ca/payload-not-utf8          | an assertion whose claims are not UTF-8 is refused                                        |
      | ca/access-token-as-assertion | the AS's own access token sent as client_assertion is refused                             |
      | ca/dpop-proof-as-assertion   | a DPoP proof signed by the client's key is refused as client assertion                    |

  Scenario Outline: assertion accepted: <behaviour>
    Given a valid client assertion for the registered client
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint should issue a token

    Examples:
      | probe           | behaviour                                                            |
      | ca/nbf-8s-ahead | an assertion whose nbf lies 8 seconds ahead is accepted (clock skew) |
      | ca/iat-5s-ahead | an assertion whose iat lies 5 seconds ahead is accepted (clock skew) |
      | ca/typ-jwt      | an assertion with typ "JWT" is accepted                              |
      | ca/without-typ  | an assertion without typ is accepted                                 |

  Scenario Outline: assertion that should be refused: <behaviour>
    Given a valid client assertion for the registered client
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint should refuse it

    Examples:
      | probe            | behaviour                                                             |
      | ca/iat-10m-ahead | an assertion whose iat lies 10 minutes ahead should be refused        |
      | ca/typ-dpop-jwt  | an assertion typed "dpop+jwt" (another kind of JWT) should be refused |
      | ca/typ-at-jwt    | an assertion typed "at+jwt" (an access token) should be refused       |

  @info
  Scenario Outline: assertion recorded: <behaviour>
    Given a valid client assertion for the registered client
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the answer is recorded outside the verdict, and a 5xx fails

    Examples:
      | probe            | behaviour                                                                       |
      | ca/exp-in-1-year | an assertion valid for a year (the AS MAY refuse it)                            |
      | ca/iat-1-day-ago | an assertion issued a day ago (the AS MAY refuse it)                            |
      | ca/without-jti   | an assertion without jti (OIDC Core §9 requires it; RFC 7523 does not)          |
      | ca/unknown-kid   | an assertion naming an unknown kid is refused or verified with the client's key |

  Scenario Outline: audience: <behaviour>
    Given a valid client assertion for the registered client
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the answer meets the audience profile

    Examples:
      | probe                           | behaviour                                                                                 |
      | ca/aud-issuer                   | an assertion whose aud is the issuer identifier                                           |
      | ca/aud-token-endpoint           | an assertion whose aud is the token endpoint URL                                          |
      | ca/aud-issuer-array             | an assertion whose aud is an array holding only the issuer                                |
      | ca/aud-injection-issuer         | an assertion whose aud holds the issuer and another value is refused (audience injection) |
      | ca/aud-injection-token-endpoint | an assertion whose aud holds the token endpoint and another value is refused              |
      | ca/audience-profile             | the audience rules the token endpoint meets                                               |

  Scenario Outline: grant control: <behaviour>
    Given a valid JWT authorization grant for the configured subject
    When it is posted to the token endpoint as probe "<probe>"
    Then the token endpoint issues a token

    Examples:
      | probe             | behaviour                                                                    |
      | gr/control-before | the valid JWT authorization grant is accepted before the negative batch      |
      | gr/control-after  | the valid JWT authorization grant is still accepted after the negative batch |

  Scenario Outline: grant refused: <behaviour>
    Given a valid JWT authorization grant for the configured subject
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint refuses the grant with invalid_grant

    Examples:
      | probe                | behaviour                                                                         |
      | gr/expired           | an expired JWT grant is refused with invalid_grant                                |
      | gr/aud-other-as      | a JWT grant for another authorization server is refused with invalid_grant        |
      | gr/signature-flipped | a JWT grant with a corrupted signature is refused with invalid_grant              |
      | gr/untrusted-issuer  | a JWT grant from an untrusted issuer is refused with invalid_grant                |
      | gr/without-sub       | a JWT grant without sub is refused with invalid_grant                             |
      | gr/two-jwts          | two JWTs in assertion are refused                                                 |
      | gr/sub-not-allowed   | a JWT grant for a subject the issuer may not assert is refused with invalid_grant |

  Scenario Outline: grant with a broken client assertion: <behaviour>
    Given a valid JWT authorization grant for the configured subject
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint refuses it with invalid_client

    Examples:
      | probe                      | behaviour                                                                   |
      | gr/broken-client-assertion | a valid grant with a broken client assertion is refused with invalid_client |

  Scenario Outline: resource control: <behaviour>
    Given an access token issued to the registered client
    When the resource is requested as probe "<probe>"
    Then the resource serves it

    Examples:
      | probe      | behaviour                                                      |
      | rs/control | the resource serves the access token the token endpoint issued |

  Scenario Outline: resource: <behaviour>
    Given an access token issued to the registered client
    When the resource is requested as probe "<probe>"
    Then the resource refuses it

    Examples:
      | probe                        | behaviour                                                     |
      | rs/no-token                  | a request without a token gets a Bearer challenge             |
      | rs/client-assertion-as-token | the client's own assertion is not honoured as an access token |
      | rs/other-audience            | a valid access token issued for another resource is refused   |
