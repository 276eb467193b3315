Feature: Video jobs that outlive a client's patience
  A video takes minutes, but clients drop a tool call after about a minute. generate_video waits
  a bounded time, then hands back a video_id that get_video_status finishes, even after the
  server restarts. The upstream here is scripted: each poll gets the next status in the list.

  Scenario: A job that finishes within the wait is saved, linked and inlined
    Given the video upstream reports "in_progress 40, completed"
    When I call "generate_video" with
      """
      {"prompt": "a river at dawn", "save_path": "river.mp4", "max_wait_ms": 5000}
      """
    Then the call succeeds
    And the result meta "status" is "completed"
    And the result meta "cost_usd" is 0.5
    And the output file "river.mp4" holds the test clip
    And the result links to "output://files/river.mp4"
    And the result embeds the clip as a "video/mp4" resource

  Scenario: A job that outlives the wait is a resumable handle, not an error
    Given the video upstream reports "in_progress 30"
    When I call "generate_video" with
      """
      {"prompt": "a slow sunset", "max_wait_ms": 2000}
      """
    Then the call succeeds
    And the result meta "code" is "JOB_STILL_RUNNING"
    And the result meta "video_id" is "job-1"
    And the result meta "progress" is 30
    And the result text mentions "Call get_video_status with video_id='job-1' to resume"
    When the upstream job completes
    And I call "get_video_status" with
      """
      {"video_id": "job-1"}
      """
    Then the call succeeds
    And the result meta "status" is "completed"
    And one output file holds the test clip

  Scenario: The handle still works after the server restarts
    Given the video upstream reports "pending"
    When I call "generate_video" with
      """
      {"prompt": "a paper boat", "max_wait_ms": 0}
      """
    Then the result meta "code" is "JOB_STILL_RUNNING"
    When the server restarts
    And the upstream job completes
    And I call "get_video_status" with
      """
      {"video_id": "job-1", "save_path": "after-restart.mp4"}
      """
    Then the call succeeds
    And the output file "after-restart.mp4" holds the test clip
    And the video upstream received 1 submission

  Scenario: A failed job is JOB_FAILED with the upstream's reason
    Given the video upstream fails the job with "the prompt was flagged by the provider"
    When I call "generate_video" with
      """
      {"prompt": "something forbidden", "max_wait_ms": 5000}
      """
    Then the call fails with code "JOB_FAILED"
    And the error message mentions "the prompt was flagged by the provider"

  Scenario: list_video_jobs shows the job with its status
    Given the video upstream reports "in_progress 30"
    When I call "generate_video" with
      """
      {"prompt": "a lighthouse", "max_wait_ms": 1000}
      """
    And I call "list_video_jobs" with
      """
      {}
      """
    Then the call succeeds
    And the structured result "jobs.0.video_id" is "job-1"
    And the structured result "jobs.0.status" is "in_progress"
    And the structured result "jobs.0.progress" is 30

  Scenario: Progress reaches a real MCP client and never goes backwards
    Given the video upstream reports "in_progress 25, in_progress 75, in_progress, in_progress 90, completed"
    When I call "generate_video" with progress
      """
      {"prompt": "a hummingbird", "max_wait_ms": 10000}
      """
    Then the call succeeds
    And the client received 6 progress values that never decrease, ending at 100

  Scenario: A save_path outside the output folder is refused before anything is paid
    Given the video upstream reports "completed"
    When I call "generate_video" with
      """
      {"prompt": "a cat", "save_path": "../../escape.mp4"}
      """
    Then the call fails with code "UNSAFE_PATH"
    And the video upstream received 0 submission

  Scenario: The video tools say honestly what they touch
    Given the video upstream reports "completed"
    Then the tool "get_video_status" is annotated readOnly false, destructive true, idempotent true, openWorld true
    And the tool "list_video_jobs" is annotated readOnly true, destructive false, idempotent true, openWorld false
    And the tool "generate_video" is annotated readOnly false, destructive true, idempotent false, openWorld true
    And the tool "generate_video_from_image" is annotated readOnly false, destructive true, idempotent false, openWorld true
