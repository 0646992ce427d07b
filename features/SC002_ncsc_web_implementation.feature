@SC002 @must @level:OA @level:TSA @level:FSA @role:developer
Feature: SC002 API implementations comply with the NCSC web-application guidelines
  API implementations MUST comply with Dutch NCSC guidelines for web applications.
  Compliance check will be limited to a confirmation by the server developer;
  black-box probes of the implementation's error handling are evidence that
  can contradict the declaration.

  Scenario: the server developer has declared SC002 in a valid signed declaration
    Given the declarations in the profile that name "SC002"
    Then one of them is validly signed by the developer and covers "SC002"

  Scenario: a malformed JSON body is refused with a generic client error
    When the suite posts a truncated JSON document to the base URL
    Then the request is refused with a 4xx status
    And the error body reveals no stack trace, SQL or file path

  Scenario: TRACE is not supported
    When the suite sends "TRACE" to the base URL
    Then the method is refused with 405 or 501
