Feature: Health check explains whether the server can work
  health_check never fails; it says what is wrong and how to fix it.

  Scenario: A valid key with a credit limit
    Given the upstream replays "key_valid"
    When I call "health_check" with
      """
      {}
      """
    Then the call succeeds
    And the structured result "ok" is true
    And the structured result "api_key_valid" is true
    And the structured result "credit_remaining_usd" is 4.8984355238
    And the structured result "models_cached" is 10

  Scenario: No key configured
    Given no API key is configured
    And the upstream replays "models"
    When I call "health_check" with
      """
      {}
      """
    Then the call succeeds
    And the structured result "ok" is false
    And the structured result "api_key_present" is false
    And the structured result "problems" mentions "OPENROUTER_API_KEY"

  Scenario: A key that OpenRouter rejects
    Given the upstream replays "key_401"
    When I call "health_check" with
      """
      {}
      """
    Then the call succeeds
    And the structured result "api_key_present" is true
    And the structured result "api_key_valid" is false

  Scenario: A malformed setting is reported by health_check and blocks the other tools
    Given a malformed setting "OPENROUTER_PROVIDER_SORT must be price, throughput or latency"
    And the upstream replays "key_valid"
    When I call "health_check" with
      """
      {}
      """
    Then the structured result "ok" is false
    And the structured result "problems" mentions "OPENROUTER_PROVIDER_SORT"
    When I call "search_models" with
      """
      {}
      """
    Then the call fails with code "CONFIGURATION"
