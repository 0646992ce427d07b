@SC008 @must @level:TSA @level:FSA @role:specifier
Feature: SC008 Client authentication tokens are signed asymmetrically
  All tokens used for client authentication MUST be signed using
  asymmetrical encryption.

  The metadata must advertise no symmetric client authentication
  (client_secret_*, HS* signing algorithms; an omitted method list means
  client_secret_basic), and HMAC-signed client assertions must be refused.

  Scenario Outline: metadata: <behaviour>
    Given the authorization server's metadata
    When it is checked by probe "<probe>"
    Then the check holds

    Examples:
      | probe                          | behaviour                                                                              |
      | md/no-symmetric-client-auth    | no symmetric client authentication method is advertised                                |
      | md/no-symmetric-signing-algs   | only asymmetric client assertion algorithms are advertised                             |
      | md/other-endpoints-client-auth | introspection and revocation endpoints advertise asymmetric client authentication only |

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
