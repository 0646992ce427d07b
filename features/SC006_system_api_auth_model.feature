@SC006 @must @level:TSA @level:FSA @role:specifier
Feature: SC006 System APIs use authentication and authorization models not specific to a use case, client or user
  Specifications for 'System APIs' MUST use authentication and authorization
  models that are not specific to a use case or (type of) client or user.

  Scenario: the specifier has declared SC006 in a valid signed declaration
    Given the declarations in the profile that name "SC006"
    Then one of them is validly signed by the specifier and covers "SC006"
