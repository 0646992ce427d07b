@SC-S001 @should @level:TSA @level:FSA @role:specifier
Feature: SC-S001 SOAP messages are protected with WS-Security
  APIs SHOULD use WS-Security to ensure message confidentiality and integrity
  for adding security tokens.

  The suite signs the target's own request (the operation the profile names
  in the target's WSDL, or the request body it gives) as the profile's SOAP
  client: a wsse:Security header with a wsu:Timestamp, an X.509
  BinarySecurityToken and a ds:Signature (exclusive c14n, rsa-sha256) over
  Body and Timestamp, without a SAML assertion. A target that refuses that
  envelope gets it in the other standard header layouts (token after the
  signature), then with the SC-S002 SAML assertion, and the first envelope it
  accepts is recorded and used for every probe. Every negative probe is one
  named change to that envelope, sent in one batch between two positive
  controls; no probe is sent when the control was refused, and a refusal only
  counts when the control after the batch was accepted too. A refusal must be
  a SOAP fault with the WSS 1.1 §12 code named below; another WSS code passes
  with a note, a business answer is a warning with the probe's severity, any
  other fault a low warning (SHOULD rule). A MustUnderstand fault to the valid
  envelope means the target does not implement WS-Security: a warning, and the
  negative probes do not apply. HTML or non-SOAP answers are "could not test".

  Background:
    Given the target's SOAP endpoint from the profile
    And a valid WS-Security envelope signed with the suite's client certificate

  Scenario: the valid envelope is processed (positive control before the batch)
    When it is sent as probe "wss/control/before"
    Then the endpoint processes it

  Scenario: a message without a Security header is refused
    When it is changed by probe "WithoutSecurityHeader" and sent
    Then the endpoint refuses it with wsse:InvalidSecurity

  Scenario: a signed message without a Timestamp is refused
    When it is changed by probe "WithoutTimestamp" and sent
    Then the endpoint refuses it with wsse:InvalidSecurity

  Scenario: a message whose Timestamp expired ten minutes ago is refused
    When it is changed by probe "WithExpiredTimestamp" and sent
    Then the endpoint refuses it with wsse:MessageExpired or wsu:MessageExpired

  Scenario: a Body changed after signing is refused
    When it is changed by probe "WithBodyModifiedAfterSigning" and sent
    Then the endpoint refuses it with wsse:FailedCheck

  Scenario: a message signed by a certificate the target does not trust is refused
    When it is changed by probe "WithSignatureByUntrustedCert" and sent
    Then the endpoint refuses it with wsse:FailedAuthentication or wsse:InvalidSecurityToken or wsse:SecurityTokenUnavailable

  Scenario: a message signed with rsa-sha1 and sha1 digests is refused
    When it is changed by probe "WithSHA1Signature" and sent
    Then the endpoint refuses it with wsse:UnsupportedAlgorithm or wsse:InvalidSecurity

  Scenario: a replayed copy of an accepted message is refused
    When it is changed by probe "WithReplayedMessage" and sent
    Then the endpoint refuses it with wsse:MessageExpired or wsu:MessageExpired or wsse:InvalidSecurity

  Scenario: a signed Body moved into a header with an unsigned Body in its place is refused
    When it is changed by probe "WithSignatureWrapping" and sent
    Then the endpoint refuses it with wsse:InvalidSecurity or wsse:FailedCheck

  Scenario: a message with a DTD declaring an external entity is refused and nothing is fetched
    When it is changed by probe "WithXXE" and sent
    Then the endpoint refuses it with soap11:Client or soap12:Sender

  Scenario: the valid envelope is still processed (positive control after the batch)
    When it is sent as probe "wss/control/after"
    Then the endpoint processes it
