@SC001 @must @level:OA @level:TSA @level:FSA @role:specifier
Feature: SC001 API specifications comply with the NCSC web-application guidelines
  API specifications MUST comply with Dutch NCSC guidelines for web applications.
  Compliance check will be limited to a confirmation by the specifier; when the
  profile names the published specification (web.openapi_url), what it mandates
  is evidence that can contradict the declaration. Mappings: docs/web-probes.md.

  Scenario: the specifier has declared SC001 in a valid signed declaration
    Given the declarations in the profile that name "SC001"
    Then one of them is validly signed by the specifier and covers "SC001"

  Scenario Outline: specification probe: <check>
    Given the deployment's web answers
    When they are checked by web probe "<probe>"
    Then the web probe finds no contradiction

    Examples:
      | probe                 | check                                                                   |
      | spec/https-only       | the specification offers the API over https only (U/WA.05)              |
      | spec/security-schemes | the specification requires authentication on every operation (U/TV.01) |
