@SC004 @must @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC004 API deployments comply with the NCSC TLS guidelines
  API deployments MUST comply with Dutch NCSC guidelines for Transport Layer
  Security. Every TLS endpoint of the profile is scanned once (versions, every
  accepted cipher suite, groups, DHE primes, certificates, key-exchange
  signature hashes, options) and each item is graded by the profile's edition
  of the guideline (2025-05 by default, or v2.1). Nothing may be Insufficient.

  Scenario: every TLS endpoint completes a handshake the scanner can grade
    Given every TLS endpoint of the profile has been scanned
    Then every endpoint accepts TLS 1.2 or TLS 1.3

  Scenario: no protocol version is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "protocol version" is graded Insufficient

  Scenario: no accepted cipher suite is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "cipher suite" is graded Insufficient

  Scenario: no key-exchange group or DHE prime is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "key-exchange group" is graded Insufficient

  Scenario: no certificate key, signature hash, chain or name is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "certificate" is graded Insufficient

  Scenario: no accepted key-exchange signature hash is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "key-exchange signature hash" is graded Insufficient

  Scenario: no option is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "option" is graded Insufficient
