@SC006 @must @level:TSA @level:FSA @role:specifier
Feature: SC006 System APIs use authentication and authorization models not specific to a use case, client or user
  Specifications for 'System APIs' MUST use authentication and authorization
  models that are not specific to a use case or (type of) client or user.
  The declaration is the primary evidence; what the deployment publishes and
  how it treats a second registered client can contradict it.

  Scenario: the specifier has declared SC006 in a valid signed declaration
    Given the declarations in the profile that name "SC006"
    Then one of them is validly signed by the specifier and covers "SC006"

  Scenario: one metadata document and one token endpoint serve every client
    Given the authorization server's published model
    Then the metadata names no registered client

  Scenario: a second client making the same request gets the same kind of token
    Given the authorization server's published model
    When the second client makes the first client's token request
    Then it gets the same kind of token from the same endpoint

  Scenario: the resource asks for a standard authentication scheme
    Given the authorization server's published model
    Then the resource challenges with a registered authentication scheme
