@SC-S002 @should @level:TSA @level:FSA @role:specifier
Feature: SC-S002 SOAP messages carry SAML tokens (SAML Token Profile)
  APIs SHOULD use the SAML Token Security Model.

  The valid envelope of SC-S001 carries a SAML 2.0 assertion in wsse:Security,
  issued and signed (enveloped, exclusive c14n, rsa-sha256) by the suite's
  SAML issuer, restricted to the SOAP endpoint, with holder-of-key subject
  confirmation naming the certificate that signs the message (the AORTA
  transactietoken pattern). Each negative probe changes only the assertion,
  in the same batch and between the same positive controls as SC-S001.

  Background:
    Given the target's SOAP endpoint from the profile
    And a valid envelope carrying a holder-of-key SAML assertion from the suite's issuer

  Scenario: the envelope with a valid assertion is processed (positive control)
    When it is sent as probe "control/before"
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

  Scenario: an unsigned assertion placed before the signed one is refused
    When it is changed by probe "WithAssertionWrapping" and sent
    Then the endpoint refuses it with wsse:InvalidSecurity or wsse:InvalidSecurityToken or wsse:FailedAuthentication

  Scenario: the envelope with a valid assertion is still processed (positive control after the batch)
    When it is sent as probe "control/after"
    Then the endpoint processes it
