@SC003 @must @level:OA @level:TSA @level:FSA @role:deployer
Feature: SC003 API deployments comply with the NCSC web-application guidelines
  API deployments MUST comply with Dutch NCSC guidelines for web applications.
  Compliance check will be limited to a confirmation by the server deployer;
  black-box probes of the deployment are evidence that can contradict the
  declaration. A contradiction of what the guideline (or internet.nl) requires
  fails the rule; a contradiction of a recommendation is a warning beside the
  attestation. Each probe's NCSC code, ASVS 5.0 and OWASP API Top 10 mapping
  and internet.nl class are in docs/web-probes.md.

  Scenario: the server deployer has declared SC003 in a valid signed declaration
    Given the declarations in the profile that name "SC003"
    Then one of them is validly signed by the deployer and covers "SC003"

  Scenario Outline: deployment probe: <check>
    Given the deployment's web answers
    When they are checked by web probe "<probe>"
    Then the web probe finds no contradiction

    Examples:
      | probe               | check                                                                                   |
      | web/plain-http      | plain HTTP is refused or redirected to HTTPS on the same host (U/WA.05)                 |
      | web/hsts            | HTTPS answers carry HSTS for at least a year (U/WA.05)                                  |
      | web/hsts-subdomains | HSTS covers subdomains (ASVS 3.4.1, L2)                                                 |
      | web/nosniff         | answers forbid content sniffing (U/PW.03)                                               |
      | web/csp             | answers carry a Content-Security-Policy without unsafe sources (U/PW.03)                |
      | web/referrer-policy | answers send no referrer cross-site (U/PW.03)                                           |
      | web/banner          | answers do not disclose the server product and version (U/PW.03, C.09)                  |
      | web/cookies         | cookies are Secure, HttpOnly and SameSite (U/PW.03)                                     |
      | web/cors            | a foreign Origin is not granted credentialed access (U/PW.03)                           |
      | web/exposed-defaults | no repository, management or monitoring endpoint is exposed (U/PW.03, U/PW.05)         |

  @info
  Scenario Outline: deployment observation: <check>
    Given the deployment's web answers
    When they are checked by web probe "<probe>"
    Then the observation is recorded outside the verdict

    Examples:
      | probe             | check                                                  |
      | web/frame-options | answers refuse framing (internet.nl: optional)         |
      | web/security-txt  | security.txt is published (RFC 9116; internet.nl: recommended) |
