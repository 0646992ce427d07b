@SC004.001 @should @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC004.001 TLS versions, algorithms, key sizes, groups and options are at least Sufficient
  The status of used TLS versions, algorithms, key size & choice of groups and
  options SHOULD at least be "Sufficient" in the NCSC TLS guidelines. The
  same scan as SC004 is graded by the profile's edition, endpoint by endpoint
  and aspect by aspect; anything graded Phase out is a warning.

  Scenario: every protocol version is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "protocol version" is graded at least Sufficient

  Scenario: every accepted cipher suite is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "cipher suite" is graded at least Sufficient

  Scenario: every key-exchange group (TLS 1.3 key share, TLS 1.2 ECDHE curve or DHE group) is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "key-exchange group" is graded at least Sufficient

  Scenario: every certificate key or signature hash is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "certificate key or signature" is graded at least Sufficient

  Scenario: the certificate chain is trusted and valid for the host name (at least Sufficient)
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "certificate chain" is graded at least Sufficient

  Scenario: every TLS 1.2 key-exchange signature hash is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "key-exchange signature hash" is graded at least Sufficient

  Scenario: the cipher order is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "cipher order" is graded at least Sufficient

  Scenario: TLS compression is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "TLS compression" is graded at least Sufficient

  Scenario: secure renegotiation is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "secure renegotiation" is graded at least Sufficient

  Scenario: client-initiated renegotiation is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "client-initiated renegotiation" is graded at least Sufficient

  Scenario: 0-RTT is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "0-RTT" is graded at least Sufficient

  Scenario: OCSP stapling is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "OCSP stapling" is graded at least Sufficient

  Scenario: extended master secret is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "extended master secret" is graded at least Sufficient
