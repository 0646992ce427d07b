@SC004.001 @should @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC004.001 TLS versions, algorithms, key sizes, groups and options are at least Sufficient
  The status of used TLS versions, algorithms, key size & choice of groups and
  options SHOULD at least be "Sufficient" in the NCSC TLS guidelines. The
  same scan as SC004 is graded by the profile's edition; anything graded
  Phase out is a warning.

  Scenario: every protocol version is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "protocol version" is graded at least Sufficient

  Scenario: every accepted cipher suite is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "cipher suite" is graded at least Sufficient

  Scenario: every key-exchange group and DHE prime is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "key-exchange group" is graded at least Sufficient

  Scenario: every certificate key, signature hash, chain and name is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "certificate" is graded at least Sufficient

  Scenario: every accepted key-exchange signature hash is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "key-exchange signature hash" is graded at least Sufficient

  Scenario: every option is at least Sufficient
    Given every TLS endpoint of the profile has been scanned
    When the scan is graded by the profile's NCSC TLS guideline edition
    Then every "option" is graded at least Sufficient
