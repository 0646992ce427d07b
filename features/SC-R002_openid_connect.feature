@SC-R002 @should @level:TSA @level:FSA @role:specifier
Feature: SC-R002 OpenID Connect is used for single sign-on
  APIs SHOULD use OpenID Connect to achieve Single-Sign-On when requesting
  OAuth access tokens (as far as existing regulations allow).

  Checked from the discovery document: it is published and consistent, id
  tokens are signed asymmetrically (RS256 included), and the authorization
  code flow with PKCE S256 is offered. A SHOULD rule: a failure counts as a
  warning; each finding keeps its severity (symmetric or "none" id_token
  algorithms high, a mismatched issuer high, missing discovery, code flow or
  PKCE medium, missing members low).

  Scenario Outline: metadata: <behaviour>
    Given the authorization server's metadata
    When it is checked by probe "<probe>"
    Then the check holds

    Examples:
      | probe                       | behaviour                                                |
      | md/oidc-discovery-published | an OpenID Connect discovery document is published        |
      | md/oidc-issuer-matches      | the discovery document's issuer is the configured issuer |
      | md/oidc-required-fields     | the OpenID Provider metadata has its required members    |
      | md/openid-scope             | the openid scope is advertised                           |
      | md/id-token-algs-asymmetric | id_tokens are signed asymmetrically, RS256 included      |
      | md/code-flow                | the authorization code flow is offered                   |
      | md/pkce-s256                | PKCE with S256 is advertised                             |
