Feature: A player for generated media, for hosts that render MCP Apps
  Tools that make audio or video are bound to a ui:// player resource, but only for a client that
  said it renders MCP Apps. Every other client sees plain tools and keeps the text summary and link.

  Scenario: A client without Apps support gets the plain text and link
    Given the video upstream finishes every job at once
    When I list the tools
    Then no tool is bound to the player
    And every tool has an SVG icon
    When I call "generate_video" with
      """
      {"prompt": "a kite", "save_path": "kite.mp4"}
      """
    Then the call succeeds
    And the result has a text summary and a link to "output://files/kite.mp4"

  Scenario: A client with Apps support is shown the player
    Given the video upstream finishes every job at once
    And my client renders MCP Apps
    When I list the tools
    Then the tools bound to the player are "generate_audio, generate_video, generate_video_from_image, get_job_status, get_video_status"
    And the player resource is an MCP App that plays the tool result
    When I call "generate_video" with
      """
      {"prompt": "a kite", "save_path": "kite.mp4"}
      """
    Then the call succeeds
    And the result has a text summary and a link to "output://files/kite.mp4"
