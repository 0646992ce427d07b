@SC005 @must @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC005 The API provides audit logging conforming to NEN 7513
  An API MUST provide audit logging that conforms to NEN 7513 (at least the
  content of a log line matches). The suite acts as the profile's test user
  on the test patient — a read, a search and two refused accesses — reads
  the audit log itself, and then looks in every audit source the profile
  names (a FHIR AuditEvent search, the suite's own TLS syslog receiver for
  IHE ATNA / DICOM audit messages, a JSON-lines export) for a record of each
  access within audit.wait. On a FHIR audit source it also checks the
  access regime and that the log cannot be changed: the search refuses the
  test user's ordinary token, and the record of the suite's own read (and
  no other) cannot be written back or deleted with the auditor's token.
  Each NEN 7513 field is judged on its own over every record found: the
  event, the action, the date and time, the outcome, the user and role, the
  organisation, the access point, the patient, the object, the logging
  system, and that no clinical content of the patient's record is in the
  log.

  Scenario: the suite's own authorized read of the test patient is served
    Given the audit records of the suite's accesses to the test patient
    When the suite reads the test patient as the test user
    Then the API serves the read

  Scenario: a read of the test patient is logged
    Given the audit records of the suite's accesses to the test patient
    When the suite reads the test patient as the test user
    Then every audit source holds a record of it within audit.wait

  Scenario: a search for the test patient is logged
    Given the audit records of the suite's accesses to the test patient
    When the suite searches for the test patient as the test user
    Then every audit source holds a record of it within audit.wait

  Scenario: an access without a token is logged
    Given the audit records of the suite's accesses to the test patient
    When the suite reads the test patient without an access token
    Then every audit source holds a record of it within audit.wait

  Scenario: an access with a forged token is logged
    Given the audit records of the suite's accesses to the test patient
    When the suite reads the test patient with a forged access token
    Then every audit source holds a record of it within audit.wait

  Scenario: reading the audit log is itself logged
    Given the audit records of the suite's accesses to the test patient
    When the suite reads the audit log as the auditor
    Then every audit source holds a record of it within audit.wait

  Scenario: the audit source refuses an unauthenticated reader
    Given the audit records of the suite's accesses to the test patient
    When the suite searches the audit source without an access token
    Then the audit source refuses it

  Scenario: the audit source refuses an ordinary API client's token
    Given the audit records of the suite's accesses to the test patient
    When the suite searches the audit source with the test user's access token
    Then the audit source refuses it

  Scenario: the audit source refuses to change a record
    Given the audit records of the suite's accesses to the test patient
    When the suite writes the record of its own read back unchanged as the auditor
    Then the audit source refuses it

  Scenario: the audit source refuses to delete a record
    Given the audit records of the suite's accesses to the test patient
    When the suite deletes the record of its own read as the auditor
    Then the audit source refuses it

  Scenario: every record names the event type
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "event-type"

  Scenario: every record of a read or search names the FHIR interaction
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "event-subtype"

  Scenario: every record carries the action code
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "action"

  Scenario: every record carries the date and time of the access, with a zone, within audit.time_skew
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "recorded"

  Scenario: every record carries the outcome, and refused accesses are logged as failures
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "outcome"

  Scenario: every record of an authenticated access names the user
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "user"

  Scenario: every record names the user's role
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "user-role"

  Scenario: every record names the organisation
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "organisation"

  Scenario: every record names the access point
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "access-point"

  Scenario: every record of an access to the test patient names the patient
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "patient"

  Scenario: every record names the object accessed
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "object"

  Scenario: the record of a search carries the query
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "search-query"

  Scenario: every record names the system that wrote it
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "source"

  Scenario: no record carries clinical content of the patient's record
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "no-clinical-payload"

  @info
  Scenario: how the records name the responsible user (on behalf of)
    Given the audit records of the suite's accesses to the test patient
    Then every record carries the NEN 7513 field "on-behalf-of"
