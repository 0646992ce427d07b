@SC009 @must @level:TSA @level:FSA @role:specifier
Feature: SC009 APIs use the nationally prescribed generic services and functions
  When generic services/functions are nationally prescribed for use, APIs MUST
  use these generic services/functions (e.g. patient consent, addressing,
  authorization models).
  The specifier's declaration names, per national generic function
  (identification, authentication, consent, authorisation, localisation,
  addressing), the specification and version used, or why none applies. The
  deployment's observable signals (docs/reference/nen7513-ncsc-web.md §4) corroborate or
  contradict each entry; what cannot be observed is recorded, not judged.

  Scenario: the specifier has declared SC009 in a valid signed declaration
    Given the declarations in the profile that name "SC009"
    Then one of them is validly signed by the specifier and covers "SC009"

  Scenario: the declaration names the generic functions it uses, or why none applies
    Given the specifier's declaration of the national generic functions
    Then it names the generic functions it uses, or why none applies

  Scenario Outline: the deployment's signals do not contradict the declared <function>
    Given the specifier's declaration of the national generic functions
    When the deployment's signals are observed
    Then the signals of "<function>" do not contradict the declaration

    Examples:
      | function       |
      | identification |
      | authentication |
      | consent        |
      | authorisation  |
      | localisation   |
      | addressing     |
