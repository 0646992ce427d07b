@SC009 @must @level:TSA @level:FSA @role:specifier
Feature: SC009 APIs use the nationally prescribed generic services and functions
  When generic services/functions are nationally prescribed for use, APIs MUST
  use these generic services/functions (e.g. patient consent, addressing,
  authorization models).

  Scenario: the specifier has declared SC009 in a valid signed declaration
    Given the declarations in the profile that name "SC009"
    Then one of them is validly signed by the specifier and covers "SC009"
