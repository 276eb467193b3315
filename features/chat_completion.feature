Feature: Chat with any OpenRouter model
  As someone using an MCP client, I ask any OpenRouter model a question and get its answer,
  with what it cost, or an error that tells me what to do.

  Scenario: An answer comes back with the served model, usage and cost
    Given the upstream replays "chat_image_url"
    When I call "chat_completion" with
      """
      {"model": "anthropic/claude-sonnet-4", "messages": [{"role": "user", "content": "What's in this image?"}]}
      """
    Then the call succeeds with text "Google logo"
    And the result meta "model" is "anthropic/claude-sonnet-4"
    And the result meta "provider" is "Amazon Bedrock"
    And the result meta "usage.total_tokens" is 168
    And the result meta "cost_usd" is 0.000564

  Scenario: The served model may differ from the one requested
    Given the upstream replays "chat_reasoning"
    When I call "chat_completion" with
      """
      {"model": "anthropic/claude-sonnet-4.5", "messages": [{"role": "user", "content": "Reply with the single word: ok"}], "include_reasoning": true}
      """
    Then the call succeeds with text "ok"
    And the result meta "model" is "anthropic/claude-4.5-sonnet-20250929"
    And the result meta "reasoning" mentions "single word"

  Scenario: With no model named anywhere, the free model with the largest context answers
    Given the upstream replays "chat_free_auto"
    When I call "chat_completion" with
      """
      {"messages": [{"role": "user", "content": "Hello"}]}
      """
    Then the call succeeds with text "Hello! How can I help?"
    And the result meta "model_selected_automatically" is true
    And the upstream was asked for model "minimax/minimax-m2:free"

  Scenario: The configured default model is used when the call names none
    Given the setting "default_model" is "openai/gpt-4o-mini"
    And the upstream replays "chat_free_auto"
    When I call "chat_completion" with
      """
      {"messages": [{"role": "user", "content": "Hello"}]}
      """
    Then the call succeeds
    And the upstream was asked for model "openai/gpt-4o-mini"

  Scenario: Web search, response caching and provider routing reach the upstream
    Given the setting "provider_sort" is "price"
    And the upstream replays "chat_web_search"
    When I call "chat_completion" with
      """
      {"model": "openai/gpt-4o-mini:online", "messages": [{"role": "user", "content": "news?"}], "online": true, "web_max_results": 3, "cache": true, "cache_ttl": "5m", "provider": {"order": ["openai"]}}
      """
    Then the call succeeds
    And the upstream request body has "plugins" equal to [{"id": "web", "max_results": 3}]
    And the upstream request body has "provider" equal to {"order": ["openai"], "sort": "price"}
    And the upstream request header "X-OpenRouter-Cache-TTL" is "5m"
    And the result meta "citations" is a non-empty list

  Scenario: A conversation longer than the model's context loses its oldest messages
    Given the upstream replays "chat_free_auto"
    When I call "chat_completion" with a 40-turn conversation of 1000-character messages on "tiny/context-4k"
    Then the call succeeds
    And the result meta "dropped_messages" is a positive number
    And the upstream received the system message and the last message

  Scenario: A reasoning model that runs out of max_tokens says to raise it
    Given the upstream replays "chat_reasoning_cut_off"
    When I call "chat_completion" with
      """
      {"model": "minimax/minimax-m2:free", "messages": [{"role": "user", "content": "Prove it"}], "max_tokens": 64}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "raise max_tokens"

  Scenario: Without an API key the server still answers, naming the variable to set
    Given no API key is configured
    When I call "chat_completion" with
      """
      {"messages": [{"role": "user", "content": "Hello"}]}
      """
    Then the call fails with code "CONFIGURATION"
    And the error message mentions "OPENROUTER_API_KEY"

  Scenario: Empty messages are refused before anything is sent
    When I call "chat_completion" with
      """
      {"messages": []}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "messages"

  Scenario: A message with an unknown role names the field
    When I call "chat_completion" with
      """
      {"messages": [{"role": "robot", "content": "hi"}]}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "messages.0.role"

  Scenario: A malformed model id is refused with a hint
    When I call "chat_completion" with
      """
      {"model": "gpt4", "messages": [{"role": "user", "content": "hi"}]}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "author/slug"

  Scenario Outline: Upstream failures become coded, actionable errors
    Given the upstream replays "<cassette>"
    When I call "chat_completion" with
      """
      {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
      """
    Then the call fails with code "<code>"
    And the error message mentions "<hint>"
    And no result or log line contains the API key

    Examples:
      | cassette                   | code             | hint                     |
      | chat_401                   | UNAUTHORIZED     | OPENROUTER_API_KEY       |
      | chat_402                   | UPSTREAM_REFUSED | settings/credits         |
      | chat_429                   | UPSTREAM_REFUSED | wait 30s                 |
      | chat_error_404             | MODEL_NOT_FOUND  | search_models            |
      | chat_error_in_200          | UPSTREAM_REFUSED | rate-limited upstream    |
      | chat_error_400_provider    | INVALID_INPUT    | Anthropic                |
      | chat_error_400_image_fetch | INVALID_INPUT    | fetching image           |
      | chat_error_502             | UPSTREAM_HTTP    | retry                    |
      | chat_403_moderation        | UPSTREAM_REFUSED | moderation               |
      | chat_zdr                   | ZDR_INCOMPATIBLE | data_collection          |

  Scenario: A rate-limited call says how long to wait
    Given the upstream replays "chat_429"
    When I call "chat_completion" with
      """
      {"model": "meta-llama/llama-3.3-70b-instruct:free", "messages": [{"role": "user", "content": "hi"}]}
      """
    Then the call fails with code "UPSTREAM_REFUSED"
    And the result meta "retry_after_seconds" is 30

  Scenario: An unreachable OpenRouter is a network error, not a refusal
    Given OpenRouter cannot be reached
    When I call "chat_completion" with
      """
      {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
      """
    Then the call fails with code "UPSTREAM_HTTP"
    And the error message mentions "OPENROUTER_BASE_URL"

  Scenario: An upstream that does not answer in time is a timeout
    Given OpenRouter accepts connections but never answers
    And the setting "http_timeout_ms" is "1000"
    When I call "chat_completion" with
      """
      {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
      """
    Then the call fails with code "UPSTREAM_TIMEOUT"
    And the error message mentions "retry"

  Scenario: A tool name that does not exist lists the ones that do
    When I call "chat_complete" with
      """
      {"messages": [{"role": "user", "content": "hi"}]}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "chat_completion"
