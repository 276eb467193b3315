Feature: A spend and rate policy stops runaway agents before they spend
  A team writes its limits once; the server refuses what would break them before anything is paid,
  and tells the model what to do next.

  Scenario: A burst of 100 calls against a tool capped at 10 a minute reaches the upstream 10 times
    Given the upstream replays "chat_free_auto"
    And the policy
      """
      limits:
        - tools: [chat_completion]
          per: server
          max: 10
          window: minute
      """
    When I call "chat_completion" 100 times with
      """
      {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 50}
      """
    Then 10 calls succeed and 90 fail with code "QUOTA_EXCEEDED"
    And the upstream received 10 request to "/api/v1/chat/completions"
    And every refusal gives the reason "rate_limit" and a wait in retry_after_seconds

  Scenario: LibreChat's image limits: a cool-down between images and a daily count
    Given the upstream replays "gen_image_viewable"
    And the setting "image_gen_daily_limit" is "2"
    And the setting "image_gen_cooldown_sec" is "30"
    And the clock reads "2026-12-02T09:00:00Z"
    When I call "generate_image" with
      """
      {"prompt": "a red car"}
      """
    Then the call succeeds
    When I call "generate_image" with
      """
      {"prompt": "a blue car"}
      """
    Then the call fails with code "QUOTA_EXCEEDED"
    And the result meta "details.reason" is "cooldown"
    When the clock moves on by 31 seconds
    And I call "generate_image" with
      """
      {"prompt": "a blue car"}
      """
    Then the call succeeds
    When the clock moves on by 31 seconds
    And I call "generate_image" with
      """
      {"prompt": "a green car"}
      """
    Then the call fails with code "QUOTA_EXCEEDED"
    And the result meta "details.reason" is "daily_quota"
    And the error message mentions "wait"

  Scenario: A daily budget runs out mid-afternoon and get_usage shows what was spent
    Given the upstream replays "chat_web_search"
    And the clock reads "2026-12-02T14:00:00Z"
    And the policy
      """
      budgets:
        - per: user
          usd: 0.02
          window: day
      """
    When I call "chat_completion" 4 times with
      """
      {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "News?"}], "max_tokens": 100}
      """
    Then 3 calls succeed and 1 fail with code "QUOTA_EXCEEDED"
    And the result meta "details.reason" is "budget"
    And the result meta "details.reset_at" is "2026-12-03T00:00:00Z"
    When I call "get_usage" with
      """
      {}
      """
    Then the call succeeds
    And the structured result "budgets.0.spent_usd" is 0.023292
    And the structured result "budgets.0.overshoot_usd" is 0.003292

  Scenario: A hidden tool is not listed and is refused if called anyway
    Given the upstream replays "models"
    And the policy
      """
      hide: [generate_video]
      """
    Then the tool list does not name "generate_video"
    When I call "generate_video" with
      """
      {"prompt": "a cat"}
      """
    Then the call fails with code "INVALID_INPUT"
    And the upstream received no request to "/api/v1/videos"
