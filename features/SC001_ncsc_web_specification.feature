@SC001 @must @level:OA @level:TSA @level:FSA @role:specifier
Feature: SC001 API specifications comply with the NCSC web-application guidelines
  API specifications MUST comply with Dutch NCSC guidelines for web applications.
  Compliance check will be limited to a confirmation by the specifier.

  Scenario: the specifier has declared SC001 in a valid signed declaration
    Given the declarations in the profile that name "SC001"
    Then one of them is validly signed by the specifier and covers "SC001"
