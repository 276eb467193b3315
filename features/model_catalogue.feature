Feature: Find and check models in the OpenRouter catalogue
  Catalogue tools are free: they read a cached model list and return structured results.

  Background:
    Given the upstream replays "models"

  Scenario: Search by what a model can take as input
    When I call "search_models" with
      """
      {"input": ["video"]}
      """
    Then the call succeeds
    And the structured result "total" is 1
    And the structured result lists model "google/gemini-2.5-flash"

  Scenario: Search by words and author, paging through the results
    When I call "search_models" with
      """
      {"provider": "google", "limit": 1}
      """
    Then the call succeeds
    And the structured result "total" is 3
    And the structured result "has_more" is true
    And the structured result "next_offset" is 1

  Scenario: Search for free models only
    When I call "search_models" with
      """
      {"free_only": true, "query": "llama"}
      """
    Then the structured result lists model "meta-llama/llama-3.3-70b-instruct:free"
    And the structured result "total" is 1

  Scenario: A page size over 50 is refused, naming the field
    When I call "search_models" with
      """
      {"limit": 500}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "limit"

  Scenario: Model info includes context, modalities and prices
    When I call "get_model_info" with
      """
      {"model": "google/gemini-2.5-flash:nitro"}
      """
    Then the call succeeds
    And the structured result "id" is "google/gemini-2.5-flash"
    And the structured result "context_length" is 1048576
    And the structured result "pricing.prompt" is "0.0000003"

  Scenario: An unknown model is MODEL_NOT_FOUND with close matches
    When I call "get_model_info" with
      """
      {"model": "openai/gpt-4o-mimi"}
      """
    Then the call fails with code "MODEL_NOT_FOUND"
    And the result meta "suggestions" includes "openai/gpt-4o-mini"

  Scenario: Validating an unknown model is an answer, not an error
    When I call "validate_model" with
      """
      {"model": "acme/does-not-exist"}
      """
    Then the call succeeds
    And the structured result "valid" is false

  Scenario: Validating a known model with a variant
    When I call "validate_model" with
      """
      {"model": "meta-llama/llama-3.3-70b-instruct:free"}
      """
    Then the structured result "valid" is true

  Scenario: The catalogue is fetched once however many tools ask
    When I call "search_models" with
      """
      {}
      """
    And I call "validate_model" with
      """
      {"model": "openai/gpt-4o-mini"}
      """
    Then the upstream received 1 request to "/api/v1/models"
