@SC007 @must @level:FSA @role:specifier
Feature: SC007 APIs use fully standardized models for identification and authentication
  APIs MUST use fully standardized models for identification and authentication.
  The declaration is the primary evidence; the published RFC 8414 / OpenID
  Connect metadata and JWK Set can contradict it.

  Scenario: the specifier has declared SC007 in a valid signed declaration
    Given the declarations in the profile that name "SC007"
    Then one of them is validly signed by the specifier and covers "SC007"

  Scenario: the standard authentication model is observable in the published metadata
    Given the authorization server's metadata
    Then its published standard metadata is recorded as evidence for the declaration

  Scenario: the metadata is a valid RFC 8414 or OpenID Connect discovery document
    Given the authorization server's published model
    Then the metadata is a valid standard document for the configured issuer

  Scenario: only registered grant types and client authentication methods are advertised
    Given the authorization server's published model
    Then the metadata advertises only registered grant types and client authentication methods

  Scenario: the JWK Set resolves and holds public keys only
    Given the authorization server's published model
    Then the published JWK Set holds public keys only
