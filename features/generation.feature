Feature: Generate images and speech, and rerank documents
  I ask a model to draw a picture or speak a sentence and get a file saved in my output folder,
  a small preview I can see, and what it cost. Anything that would write outside that folder,
  replace a file I did not mean to replace, or waste money on a bad argument is refused first.

  Scenario: Generate an image: it is saved, previewed and linked
    Given the upstream replays "gen_image_viewable"
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient"}
      """
    Then the call succeeds
    And the saved image is a 64x48 PNG inside my output folder
    And the result text names the saved image by its absolute path
    And the result has an image preview whose long edge is at most 1024 px
    And the result has a resource link to the saved image
    And the result meta "model" is "google/gemini-2.5-flash-image"
    And the result meta "cost_usd" is 0.0387
    And the upstream was asked for model "google/gemini-2.5-flash-image"

  Scenario: A large image comes back as a small preview, the full file stays on disk
    Given the image model draws a 3000x2000 picture
    When I call "generate_image" with
      """
      {"prompt": "a wide landscape", "save_path": "wide.png"}
      """
    Then the call succeeds
    And the file "wide.png" in my output folder is a 3000x2000 PNG
    And the result has an image preview whose long edge is at most 1024 px
    And the result carries no full-resolution image

  Scenario: The full image is inline only when asked for and small enough
    Given the upstream replays "gen_image_viewable"
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient", "return_full": true}
      """
    Then the call succeeds
    And the result carries the full-resolution image

  Scenario: The aspect ratio reaches the model as image_config
    Given the upstream replays "gen_image_viewable"
    When I call "generate_image" with
      """
      {"prompt": "a cinema still", "aspect_ratio": "16:9", "image_size": "2K"}
      """
    Then the call succeeds
    And the upstream request body has "image_config" equal to {"aspect_ratio": "16:9", "image_size": "2K"}

  Scenario: A relative save_path lands inside my output folder
    Given the upstream replays "gen_image_viewable"
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient", "save_path": "art/gradient.png"}
      """
    Then the call succeeds
    And the file "art/gradient.png" in my output folder is a 64x48 PNG

  Scenario: A save_path that climbs out of the output folder is refused before paying
    Given the upstream replays "gen_image_viewable"
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient", "save_path": "../escape.png"}
      """
    Then the call fails with code "UNSAFE_PATH"
    And the upstream received no request at all
    And no file named "escape.png" exists next to my output folder

  Scenario: An existing file is not replaced without overwrite
    Given the upstream replays "gen_image_viewable"
    And my output folder already holds "keep.png" with the text "my old picture"
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient", "save_path": "keep.png"}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "overwrite"
    And the file "keep.png" in my output folder still holds "my old picture"
    And the upstream received no request at all

  Scenario: overwrite true replaces the existing file
    Given the upstream replays "gen_image_viewable"
    And my output folder already holds "keep.png" with the text "my old picture"
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient", "save_path": "keep.png", "overwrite": true}
      """
    Then the call succeeds
    And the file "keep.png" in my output folder is a 64x48 PNG

  Scenario: A text-only answer is a refusal that quotes the model
    Given the upstream replays "gen_image_text_only"
    When I call "generate_image" with
      """
      {"prompt": "something the model will not draw"}
      """
    Then the call fails with code "UPSTREAM_REFUSED"
    And the error message mentions "picture a calm lake at dawn"
    And my output folder is empty

  Scenario: An unsupported aspect ratio is refused, naming the field
    Given the upstream replays "gen_image_viewable"
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient", "aspect_ratio": "7:3"}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "aspect_ratio"
    And the upstream received no request at all

  Scenario: A reference image from my input folder is sent to the model
    Given the upstream replays "gen_image_viewable"
    And my input folder holds a small picture "face.png"
    When I call "generate_image" with
      """
      {"prompt": "the same person, smiling", "input_images": ["face.png"]}
      """
    Then the call succeeds
    And the upstream request carries "face.png" as an image_url part

  Scenario: A reference image outside my input folder is refused before paying
    Given the upstream replays "gen_image_viewable"
    And a picture lies outside my input folder
    When I call "generate_image" with that picture as a reference
    Then the call fails with code "UNSAFE_PATH"
    And the upstream received no request at all

  Scenario: Generate speech: a playable WAV and its transcript
    Given the upstream replays "gen_audio_stream"
    When I call "generate_audio" with
      """
      {"prompt": "Say hello", "format": "pcm16"}
      """
    Then the call succeeds
    And the saved audio is a WAV with 1 channel at 24000 Hz
    And the result text mentions "Transcript: Hello"
    And the result has a resource link to the saved audio
    And the result carries the audio inline
    And the result meta "cost_usd" is 0.00062
    And the upstream request body has "audio" equal to {"voice": "alloy", "format": "pcm16"}

  Scenario: An unknown audio format is refused, not silently replaced
    Given the upstream replays "gen_audio_stream"
    When I call "generate_audio" with
      """
      {"prompt": "Say hello", "format": "aac"}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "format"
    And the upstream received no request at all

  Scenario: An error in the middle of the audio stream is reported with its code
    Given the upstream replays "gen_audio_stream_error"
    When I call "generate_audio" with
      """
      {"prompt": "Say hello"}
      """
    Then the call fails with code "UPSTREAM_HTTP"
    And the error message mentions "Provider returned error"
    And my output folder is empty

  Scenario: Rerank documents: best first, with structured results
    Given the upstream replays "gen_rerank"
    When I call "rerank_documents" with
      """
      {"query": "capital of France", "documents": ["Berlin has many museums.", "Bananas are yellow.", "Paris is the capital of France."], "return_documents": true}
      """
    Then the call succeeds
    And the structured result "model" is "cohere/rerank-v3.5"
    And the structured result "results.0.index" is 2
    And the structured result "results.0.document" is "Paris is the capital of France."
    And the structured results are in descending score order
    And the result meta "cost_usd" is 0.002

  Scenario: Rerank leaves the documents out unless asked
    Given the upstream replays "gen_rerank"
    When I call "rerank_documents" with
      """
      {"query": "capital of France", "documents": ["Berlin has many museums.", "Bananas are yellow.", "Paris is the capital of France."], "top_n": 2}
      """
    Then the call succeeds
    And the structured result has 2 results without documents

  Scenario: Rerank needs at least one document
    Given the upstream replays "gen_rerank"
    When I call "rerank_documents" with
      """
      {"query": "capital of France", "documents": []}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "documents"
    And the upstream received no request at all

  Scenario Outline: Without an API key every generation tool says how to configure one
    Given no API key is configured
    When I call "<tool>" with a valid request
    Then the call fails with code "CONFIGURATION"
    And the error message mentions "OPENROUTER_API_KEY"
    And the upstream received no request at all

    Examples:
      | tool             |
      | generate_image   |
      | generate_audio   |
      | rerank_documents |

  Scenario: A paid call leaves one audit record with its cost and a short prompt preview
    Given the upstream replays "gen_image_viewable"
    And paid calls are recorded by an audit recorder
    When I call "generate_image" with
      """
      {"prompt": "a soft blue gradient, drawn very carefully with lots of extra detail that no audit log should ever hold in full"}
      """
    Then the call succeeds
    And the audit holds 1 "generate_image" call with outcome "ok" and cost 0.0387
    And the audited prompt preview is at most 80 characters

  Scenario: A refused generation is audited with its error code
    Given the upstream replays "gen_image_text_only"
    And paid calls are recorded by an audit recorder
    When I call "generate_image" with
      """
      {"prompt": "something the model will not draw"}
      """
    Then the call fails with code "UPSTREAM_REFUSED"
    And the audit holds 1 "generate_image" call with outcome "UPSTREAM_REFUSED" and cost 0.0001
