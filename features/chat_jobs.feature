Feature: Chats that outlive a client's time limit
  A reasoning model can take minutes, but clients give up on a tool call after about a minute.
  chat_completion waits max_wait_ms; a later answer keeps being written in the background of the
  server and is kept as a job, which get_job_status returns, even from a restarted server. The
  upstream here is a loopback OpenRouter that holds its answer until the scenario lets it go.

  Scenario: A chat that outlives its wait is finished by get_job_status after a restart
    Given a chat upstream that answers only when told
    And paid calls are recorded by an audit recorder
    When I ask the slow model "What is six times seven?" waiting 200 ms
    Then the call succeeds
    And the result meta "code" is "JOB_STILL_RUNNING"
    And the result meta "kind" is "chat"
    And the result text mentions "get_job_status"
    When I call "get_job_status" for that job
    Then the result meta "code" is "JOB_STILL_RUNNING"
    When the chat upstream answers
    And the server restarts
    And I call "get_job_status" for that job
    Then the call succeeds with text "After long thought: 42."
    And the result meta "status" is "completed"
    And the result meta "cost_usd" is 0.0123
    And the result names that job
    And the chat upstream received 1 chat request
    And the audit holds, for that job, "chat_completion still_running, chat_completion ok 0.0123"
    And the ledger holds one settled row for that job: "ok" costing 0.0123

  Scenario: A cancelled chat closes its upstream request and is settled once
    Given a chat upstream that answers only when told
    And paid calls are recorded by an audit recorder
    When I ask the slow model "Think about it for a long time" waiting 100 ms
    Then the result meta "code" is "JOB_STILL_RUNNING"
    When I call "cancel_job" for that job
    Then the call succeeds
    And the result meta "cancelled" is true
    And the result meta "status" is "cancelled"
    And the chat upstream saw its connection closed
    When I call "get_job_status" for that job
    Then the call fails with code "JOB_FAILED"
    And the error message mentions "cancelled"
    When I call "cancel_job" for that job
    Then the result meta "cancelled" is false
    When the server restarts
    Then the chat upstream received 1 chat request
    And the audit holds, for that job, "chat_completion still_running, chat_completion cancelled"
    And the ledger holds one settled row for that job: "cancelled" costing nothing

  Scenario: Chat jobs are listed apart from video jobs
    Given a chat upstream that answers only when told
    When I ask the slow model "Take your time" waiting 0 ms
    And I call "list_video_jobs" with
      """
      {"kind": "chat"}
      """
    Then the listing names that job first
    When I call "list_video_jobs" with
      """
      {}
      """
    Then the result meta "count" is 0
