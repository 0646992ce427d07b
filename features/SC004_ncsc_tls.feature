@SC004 @must @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC004 API deployments comply with the NCSC TLS guidelines
  API deployments MUST comply with Dutch NCSC guidelines for Transport Layer
  Security. Every TLS endpoint of the profile is scanned once (versions, every
  accepted cipher suite, groups, DHE primes, certificates, key-exchange
  signature hashes, options) and graded on its own by the profile's edition
  of the guideline (2025-05 by default, or v2.1). Nothing may be Insufficient.
  Each aspect is its own scenario: an aspect a server does not have (0-RTT
  without TLS 1.3) is not applicable; one the scan could not observe (a
  probe that got no answer after retries, 0-RTT behind a client certificate
  the profile does not give) is an error naming the endpoint and the reason.

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

  Scenario: no key-exchange group (TLS 1.3 key share, TLS 1.2 ECDHE curve or DHE group) is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "key-exchange group" is graded Insufficient

  Scenario: no certificate key or signature hash is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "certificate key or signature" is graded Insufficient

  Scenario: the certificate chain is trusted and valid for the host name
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "certificate chain" is graded Insufficient

  Scenario: no TLS 1.2 key-exchange signature hash is Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "key-exchange signature hash" is graded Insufficient

  Scenario: the cipher order is not Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "cipher order" is graded Insufficient

  Scenario: TLS compression is not Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "TLS compression" is graded Insufficient

  Scenario: secure renegotiation is not Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "secure renegotiation" is graded Insufficient

  Scenario: client-initiated renegotiation is not Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "client-initiated renegotiation" is graded Insufficient

  Scenario: 0-RTT is not Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "0-RTT" is graded Insufficient

  Scenario: OCSP stapling is not Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "OCSP stapling" is graded Insufficient

  Scenario: extended master secret is not Insufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then no "extended master secret" is graded Insufficient
