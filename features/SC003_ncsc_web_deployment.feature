@SC003 @must @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC003 API deployments comply with the NCSC web-application guidelines
  API deployments MUST comply with Dutch NCSC guidelines for web applications.
  Compliance check will be limited to a confirmation by the server deployer;
  black-box probes of the deployment's HTTP headers are evidence that can
  contradict the declaration.

  Scenario: the server deployer has declared SC003 in a valid signed declaration
    Given the declarations in the profile that name "SC003"
    Then one of them is validly signed by the deployer and covers "SC003"

  Scenario: HTTPS answers carry HSTS for at least a year
    When the suite sends "GET" to the base URL
    Then the answer carries HSTS with a max-age of at least one year

  Scenario: answers forbid content sniffing
    When the suite sends "GET" to the base URL
    Then the answer carries "X-Content-Type-Options: nosniff"

  Scenario: answers do not disclose the server product and version
    When the suite sends "GET" to the base URL
    Then the answer discloses no product version
