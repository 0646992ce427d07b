@SC-S002 @should @level:TSA @level:FSA @role:specifier
Feature: SC-S002 SOAP messages carry SAML tokens (SAML Token Profile)
  APIs SHOULD use the SAML Token Security Model.

  The valid envelope is SC-S001's signed request with a SAML 2.0 assertion in
  wsse:Security, issued and signed (enveloped, exclusive c14n, rsa-sha256) by
  the suite's SAML issuer, restricted to the SOAP endpoint, with
  holder-of-key subject confirmation naming the certificate that signs the
  message (the AORTA transactietoken pattern). The standard header layouts
  are tried in order (assertion before, then after the message signature;
  token before, then after it) and the first the target accepts is recorded
  and used for every probe. A target that refuses the assertion in every
  layout but processes the same message without one does not use the SAML
  Token Profile: a warning, and the assertion probes do not apply. Each
  negative probe changes only the assertion, in this rule's own batch between
  its own positive controls; a run of SC-S001 alone sends none of them.

  Background:
    Given the target's SOAP endpoint from the profile
    And a valid envelope carrying a holder-of-key SAML assertion from the suite's issuer

  Scenario: the envelope with a valid assertion is processed (positive control)
    When it is sent as probe "saml/control/before"
    Then the endpoint processes it

  Scenario: a message without a SAML assertion is refused
    When it is changed by probe "WithoutAssertion" and sent
    Then the endpoint refuses it with wsse:InvalidSecurity or wsse:FailedAuthentication

  Scenario: an assertion past its NotOnOrAfter is refused
    When it is changed by probe "WithExpiredAssertion" and sent
    Then the endpoint refuses it with wsse:InvalidSecurityToken or wsse:FailedAuthentication

  Scenario: an assertion restricted to another audience is refused
    When it is changed by probe "WithWrongAudience" and sent
    Then the endpoint refuses it with wsse:InvalidSecurityToken or wsse:FailedAuthentication

  Scenario: an assertion without the issuer's signature is refused
    When it is changed by probe "WithUnsignedAssertion" and sent
    Then the endpoint refuses it with wsse:InvalidSecurityToken or wsse:FailedAuthentication

  Scenario: an assertion signed with the client's own key, from a CA the target trusts, is refused
    When it is changed by probe "WithAssertionSignedByClientKey" and sent
    Then the endpoint refuses it with wsse:InvalidSecurityToken or wsse:FailedAuthentication

  Scenario: an assertion naming another issuer under the trusted issuer's signature is refused
    When it is changed by probe "WithWrongIssuerName" and sent
    Then the endpoint refuses it with wsse:InvalidSecurityToken or wsse:FailedAuthentication

  Scenario: a holder-of-key assertion confirming a key other than the message signer's is refused
    When it is changed by probe "WithHolderOfKeyMismatch" and sent
    Then the endpoint refuses it with wsse:FailedAuthentication or wsse:InvalidSecurityToken

  Scenario: a sender-vouches assertion the message signature does not cover is refused
    When it is changed by probe "WithUnboundSenderVouches" and sent
    Then the endpoint refuses it with wsse:FailedAuthentication or wsse:InvalidSecurity or wsse:InvalidSecurityToken

  Scenario: an unsigned assertion placed before the signed one is refused
    When it is changed by probe "WithAssertionWrapping" and sent
    Then the endpoint refuses it with wsse:InvalidSecurity or wsse:InvalidSecurityToken or wsse:FailedAuthentication

  Scenario: the envelope with a valid assertion is still processed (positive control after the batch)
    When it is sent as probe "saml/control/after"
    Then the endpoint processes it
