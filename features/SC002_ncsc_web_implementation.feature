@SC002 @must @level:OA @level:TSA @level:FSA @role:developer
Feature: SC002 API implementations comply with the NCSC web-application guidelines
  API implementations MUST comply with Dutch NCSC guidelines for web applications.
  Compliance check will be limited to a confirmation by the server developer;
  black-box probes of the implementation's input and error handling are
  evidence that can contradict the declaration. Each malformed request is a
  named mutation of one valid request (a GET of the base URL), which must be
  answered without a server error first. Mappings: docs/web-probes.md.

  Scenario: the server developer has declared SC002 in a valid signed declaration
    Given the declarations in the profile that name "SC002"
    Then one of them is validly signed by the developer and covers "SC002"

  Scenario Outline: implementation probe: <check>
    Given the deployment's web answers
    When they are checked by web probe "<probe>"
    Then the web probe finds no contradiction

    Examples:
      | probe                  | check                                                                            |
      | web/malformed-json     | a truncated JSON document is refused with a generic 4xx (U/WA.03, U/WA.04)       |
      | web/malformed-xml      | a malformed XML document is refused with a generic 4xx (U/WA.03, U/WA.04)        |
      | web/wrong-content-type | a body of an unknown media type is refused with a generic 4xx (U/WA.03)          |
      | web/oversized-body     | a one-megabyte body is refused, never with a 5xx (U/WA.03)                       |
      | web/invalid-id         | an invalid resource id is refused with a generic 4xx (U/WA.03)                   |
      | web/bad-soap-envelope  | a truncated SOAP envelope is refused with a client fault (U/WA.03)               |
      | web/reflection         | input is never reflected unescaped into markup (U/WA.03, U/WA.04)                |
      | web/trace              | TRACE is refused and TRACK does not echo the request (U/PW.05)                  |
      | web/unsupported-method | an unknown method is refused with 405 and Allow, or 501 (U/PW.05)                |
      | web/method-override    | method-override headers are ignored (U/PW.05)                                    |
      | web/content-type       | every body carries a Content-Type with its charset (U/WA.04)                     |
      | web/cache-control      | answers with personal data are not stored by caches (U/PW.03)                    |
