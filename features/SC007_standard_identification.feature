@SC007 @must @level:FSA @role:specifier
Feature: SC007 APIs use fully standardized models for identification and authentication
  APIs MUST use fully standardized models for identification and authentication.

  Scenario: the specifier has declared SC007 in a valid signed declaration
    Given the declarations in the profile that name "SC007"
    Then one of them is validly signed by the specifier and covers "SC007"

  Scenario: the standard authentication model is observable in the published metadata
    Given the authorization server's metadata
    Then its published standard metadata is recorded as evidence for the declaration
