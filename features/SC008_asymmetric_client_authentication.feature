@SC008 @must @level:TSA @level:FSA @role:specifier
Feature: SC008 Client authentication tokens are signed asymmetrically
  All tokens used for client authentication MUST be signed using
  asymmetrical encryption.

  The metadata must not advertise client_secret_jwt (client assertions
  signed with a shared secret) nor HS* or "none" among the client
  authentication signing algorithms: each fails. client_secret_basic and
  client_secret_post send a shared secret rather than a signed token; when
  advertised (or when the method list is omitted, which means
  client_secret_basic in RFC 8414 §2 and OpenID Connect Discovery §3) they
  are a warning with the metadata as evidence, not a failure. A missing
  signing-algorithm list advertises nothing symmetric: it is judged under
  SC-R001 (required in RFC 8414 metadata beside a *_jwt method, optional in
  OpenID Connect discovery). HMAC-signed client assertions must be refused;
  accepting one keyed with an empty or common secret is critical. A 5xx to
  any probe fails.

  Scenario Outline: metadata: <behaviour>
    Given the authorization server's metadata
    When it is checked by probe "<probe>"
    Then the check holds

    Examples:
      | probe                          | behaviour                                                                                           |
      | md/no-symmetric-client-auth    | no shared-secret client authentication is advertised (client_secret_jwt fails, basic and post warn) |
      | md/no-symmetric-signing-algs   | only asymmetric client assertion algorithms are advertised                                          |
      | md/other-endpoints-client-auth | introspection and revocation endpoints advertise asymmetric client authentication only              |

  Scenario Outline: assertion refused: <behaviour>
    Given a valid client assertion for the registered client
    When it is changed by probe "<probe>" and posted to the token endpoint
    Then the token endpoint refuses it

    Examples:
      | probe                  | behaviour                                       |
      | ca/hs256-empty-key     | an HS256 assertion with an empty key is refused |
      | ca/hs256-common-secret | an HS256 assertion keyed "secret" is refused    |
      | ca/hs384-common-secret | an HS384 assertion keyed "secret" is refused    |
      | ca/hs512-common-secret | an HS512 assertion keyed "secret" is refused    |
