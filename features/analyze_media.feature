Feature: Analyze images, audio and video safely
  I point a model at a picture, a recording or a clip (a local file, a URL or a data URL)
  and get its answer. Anything unsafe or too large is refused before a paid request is made.

  Background:
    Given my input folder holds the test media

  Scenario: Ask about a local photo; it is shrunk before sending
    Given the upstream replays "chat_image_url"
    When I call "analyze_image" with
      """
      {"image": "big.jpg", "question": "What is this?", "model": "anthropic/claude-sonnet-4"}
      """
    Then the call succeeds with text "Google logo"
    And the result meta "content_is_untrusted" is true
    And the result meta "sent.0.width" is 800
    And the result meta "sent.0.sent_mime" is "image/jpeg"
    And the result meta "cost_usd" is 0.000564
    And the upstream request carries 1 "image_url" part

  Scenario: The anchor's image_path name still works, and small images go untouched
    Given the upstream replays "chat_image_url"
    When I call "analyze_image" with
      """
      {"image_path": "small.png", "model": "anthropic/claude-sonnet-4"}
      """
    Then the call succeeds
    And the result meta "sent.0.passed_through" is true

  Scenario: Compare several images in one call
    Given the upstream replays "chat_image_url"
    When I call "analyze_image" with
      """
      {"images": ["small.png", "big.jpg"], "question": "Which is larger?", "model": "anthropic/claude-sonnet-4"}
      """
    Then the call succeeds
    And the upstream request carries 2 "image_url" part

  Scenario: An image from a URL is downloaded through the guarded fetcher
    Given the upstream replays "chat_image_url"
    And a web server serves my input folder as "media.test"
    When I call "analyze_image" with a URL to "small.png" on "media.test"
    Then the call succeeds
    And the web server was asked for "/small.png"

  Scenario: An image given as a data URL
    Given the upstream replays "chat_image_url"
    When I call "analyze_image" with "small.png" as a data URL
    Then the call succeeds
    And the result meta "sent.0.source" is "data_url"

  Scenario: Transcribe a local WAV file; it is sent as input_audio
    Given the upstream replays "chat_audio_transcript"
    When I call "analyze_audio" with
      """
      {"audio": "tone.wav"}
      """
    Then the call succeeds with text "A steady 440 Hz tone; there is no speech."
    And the upstream was asked for model "google/gemini-2.5-flash"
    And the upstream request carries "tone.wav" as input_audio "wav"
    And the result meta "model_selected_automatically" is true

  Scenario: A configured text-only default model is skipped for audio
    Given the setting "default_model" is "meta-llama/llama-3.3-70b-instruct:free"
    And the upstream replays "chat_audio_transcript"
    When I call "analyze_audio" with
      """
      {"audio_path": "tone.wav"}
      """
    Then the call succeeds
    And the upstream was asked for model "google/gemini-2.5-flash"

  Scenario: Ask about a local video clip
    Given the upstream replays "chat_video_url"
    When I call "analyze_video" with
      """
      {"video": "clip.mp4", "model": "google/gemini-2.5-flash"}
      """
    Then the call succeeds
    And the result meta "content_is_untrusted" is true
    And the upstream request carries "clip.mp4" as a "video/mp4" video

  Scenario: A QuickTime clip is sent with the standard MIME type
    Given the upstream replays "chat_video_url"
    When I call "analyze_video" with
      """
      {"video": "clip.mov", "model": "google/gemini-2.5-flash"}
      """
    Then the call succeeds
    And the upstream request carries "clip.mov" as a "video/quicktime" video

  Scenario Outline: Unsafe or unusable inputs are refused before any upstream request
    Given the upstream replays "chat_image_url"
    When I call "<tool>" with
      """
      <arguments>
      """
    Then the call fails with code "<code>"
    And the error message mentions "<hint>"
    And the upstream received no request at all

    Examples:
      | tool          | arguments                                                   | code               | hint                          |
      | analyze_image | {"image": "/etc/passwd"}                                    | UNSAFE_PATH        | OPENROUTER_INPUT_DIR          |
      | analyze_image | {"image": "../outside.png"}                                 | UNSAFE_PATH        | OPENROUTER_ALLOW_UNSAFE_PATHS |
      | analyze_image | {"image": "escape/secret.png"}                              | UNSAFE_PATH        | outside                       |
      | analyze_image | {"image": "missing.png"}                                    | INVALID_INPUT      | missing.png                   |
      | analyze_image | {"image": "notes.txt"}                                      | UNSUPPORTED_FORMAT | png, jpeg                     |
      | analyze_audio | {"audio": "small.png"}                                      | UNSUPPORTED_FORMAT | wav                           |
      | analyze_image | {"image": "http://127.0.0.1:1/x.png"}                       | UPSTREAM_REFUSED   | loopback                      |
      | analyze_image | {"image": "http://169.254.169.254/latest/meta-data"}        | UPSTREAM_REFUSED   | link-local                    |
      | analyze_image | {"image": "http://2130706433/x.png"}                        | UPSTREAM_REFUSED   | loopback                      |
      | analyze_image | {"image": "http://[::ffff:10.0.0.1]/x.png"}                 | UPSTREAM_REFUSED   | private                       |
      | analyze_image | {"image": "http://user:pw@example.com/x.png"}               | INVALID_INPUT      | credentials                   |
      | analyze_image | {"image": "ftp://example.com/x.png"}                        | INVALID_INPUT      | http                          |
      | analyze_image | {"image": "data:image/png,notbase64"}                       | INVALID_INPUT      | base64                        |
      | analyze_image | {}                                                          | INVALID_INPUT      | image                         |

  Scenario: A host name that resolves to a private address is refused without revealing it
    Given the name "internal.test" resolves to "10.1.2.3"
    And the upstream replays "chat_image_url"
    When I call "analyze_image" with
      """
      {"image": "http://internal.test/cat.png"}
      """
    Then the call fails with code "UPSTREAM_REFUSED"
    And the error message mentions "private"
    And the error message does not mention "10.1.2.3"
    And the upstream received no request at all

  Scenario: A file over the size limit names the setting to raise
    Given the setting "image_max_download_bytes" is "2048"
    And the upstream replays "chat_image_url"
    When I call "analyze_image" with
      """
      {"image": "big.jpg"}
      """
    Then the call fails with code "RESOURCE_TOO_LARGE"
    And the error message mentions "OPENROUTER_IMAGE_MAX_DOWNLOAD_BYTES"

  Scenario: A data URL over its limit is refused before decoding
    Given the setting "video_max_data_url_bytes" is "1024"
    And the upstream replays "chat_video_url"
    When I call "analyze_video" with "clip.mp4" as a data URL
    Then the call fails with code "RESOURCE_TOO_LARGE"
    And the error message mentions "OPENROUTER_VIDEO_MAX_DATA_URL_BYTES"

  Scenario: A remote server error is reported with its status
    Given the upstream replays "chat_image_url"
    And a web server serves my input folder as "media.test"
    When I call "analyze_image" with a URL to "nothing-here.png" on "media.test"
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "404"

  Scenario: A model that cannot take audio is refused with models that can
    Given the upstream replays "chat_audio_transcript"
    When I call "analyze_audio" with
      """
      {"audio": "tone.wav", "model": "anthropic/claude-sonnet-4"}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "google/gemini-2.5-flash"
