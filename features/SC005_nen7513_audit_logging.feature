@SC005 @must @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC005 The API provides audit logging conforming to NEN 7513
  An API MUST provide audit logging that conforms to NEN 7513 (at least the
  content of a log line matches). The suite acts as the profile's test user
  on the test patient — a read, a search and two refused accesses — then
  reads the deployment's audit records from its FHIR AuditEvent search and
  checks that each access was logged with the event, the action, the date
  and time, the outcome, the user, the patient and the logging system.

  Scenario: the suite's own authorized read of the test patient is served
    Given the audit source and test identities from the profile
    When the suite reads the test patient as the test user
    Then the API serves the read

  Scenario: a read of the test patient is logged with user, patient, action, time and outcome
    Given the audit source and test identities from the profile
    When the suite reads the test patient as the test user
    Then the audit source holds a record of "read" that meets the NEN 7513 field table

  Scenario: a search for the test patient is logged
    Given the audit source and test identities from the profile
    When the suite searches for the test patient as the test user
    Then the audit source holds a record of "search" that meets the NEN 7513 field table

  Scenario: an access without a token is logged with a failed outcome
    Given the audit source and test identities from the profile
    When the suite reads the test patient without an access token
    Then the audit source holds a record of "denied-no-token" that meets the NEN 7513 field table

  Scenario: an access with a forged token is logged with a failed outcome
    Given the audit source and test identities from the profile
    When the suite reads the test patient with a forged access token
    Then the audit source holds a record of "denied-forged-token" that meets the NEN 7513 field table

  Scenario: the audit source refuses an unauthenticated reader
    Given the audit source and test identities from the profile
    When the suite searches the audit source without an access token
    Then the audit source refuses it
