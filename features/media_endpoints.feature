Feature: Images, speech, transcripts and embeddings through OpenRouter's dedicated endpoints
  I name a model and the server picks the endpoint it needs. An option that model does not take is
  refused before anything is paid, naming models that do take it. Every paid result says what it cost.

  Scenario: An image-only model takes n and seed, and three variants are saved, previewed and linked
    Given the upstream replays "media_images_n3"
    When I call "generate_image" with
      """
      {"prompt": "three red pandas", "model": "bytedance-seed/seedream-4.5", "n": 3, "seed": 42, "aspect_ratio": "16:9"}
      """
    Then the call succeeds
    And 3 images are saved, previewed and linked
    And the upstream request to "/api/v1/images" has "seed" equal to 42
    And the upstream request to "/api/v1/images" has "n" equal to 3
    And the upstream received 0 request to "/api/v1/chat/completions"
    And the result meta "route" is "images"
    And the result meta "requested.n" is 3
    And the result meta "images.2.aspect_ratio" is "16:9"
    And the result meta "cost_usd" is 0.12

  Scenario: A chat image model does not take a seed: refused before paying, naming models that do
    Given the upstream replays "media_images_n3"
    When I call "generate_image" with
      """
      {"prompt": "a red panda", "model": "google/gemini-2.5-flash-image", "seed": 42}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "seed: bytedance-seed/seedream-4.5"
    And the upstream received 0 request to "/api/v1/images"
    And the upstream received 0 request to "/api/v1/chat/completions"

  Scenario: An image model without a quality setting is refused, naming the one that has it
    Given the upstream replays "media_images_n3"
    When I call "generate_image" with
      """
      {"prompt": "a red panda", "model": "bytedance-seed/seedream-4.5", "quality": "high"}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "quality: openai/gpt-image-1"
    And the upstream received 0 request to "/api/v1/images"

  Scenario: A reply without a cost takes it from the generation record
    Given the upstream replays "media_images_no_cost"
    When I call "generate_image" with
      """
      {"prompt": "a red panda", "model": "bytedance-seed/seedream-4.5"}
      """
    Then the call succeeds
    And the result meta "cost_usd" is 0.04

  Scenario: A text-to-speech model speaks with its voice, speed and style, saved as WAV
    Given the upstream replays "media_speech_pcm"
    When I call "generate_audio" with
      """
      {"prompt": "Hello there", "model": "openai/gpt-4o-mini-tts-2025-12-15", "voice": "coral", "speed": 1.2, "instructions": "cheerful", "save_path": "hello.wav"}
      """
    Then the call succeeds
    And the file "hello.wav" in my output folder is a playable 24 kHz mono WAV
    And the upstream request to "/api/v1/audio/speech" has "provider" equal to {"options": {"openai": {"instructions": "cheerful"}}}
    And the upstream request to "/api/v1/audio/speech" has "response_format" equal to "pcm"
    And the result meta "route" is "speech"
    And the result meta "cost_usd" is 0.0021

  Scenario: A format text-to-speech models cannot send is refused before paying
    Given the upstream replays "media_speech_pcm"
    When I call "generate_audio" with
      """
      {"prompt": "Hello", "model": "openai/gpt-4o-mini-tts-2025-12-15", "format": "flac"}
      """
    Then the call fails with code "INVALID_INPUT"
    And the error message mentions "use wav or mp3"
    And the upstream received 0 request to "/api/v1/audio/speech"

  Scenario: Transcribe a recording to SRT subtitles, saved and linked
    Given the upstream replays "media_transcription"
    And my input folder holds a 1-second WAV "talk.wav"
    When I call "transcribe_audio" with
      """
      {"audio": "talk.wav", "format": "srt", "save_path": "talk.srt"}
      """
    Then the call succeeds
    And the file "talk.srt" in my output folder contains "2\n00:00:00,200 --> 00:00:00,400\na test"
    And the result has a resource link to "talk.srt"
    And the upstream request to "/api/v1/audio/transcriptions" has "response_format" equal to "verbose_json"
    And the result meta "cost_usd" is 0.000006

  Scenario: Embeddings too large to return inline are saved as a JSON-lines file
    Given the upstream replays "media_embeddings"
    And the setting "embedding_inline_max_values" is "8"
    When I call "embed_texts" with
      """
      {"texts": ["red panda", "giant panda", "raccoon"]}
      """
    Then the call succeeds
    And the saved JSON-lines file holds 3 vectors of 8 values
    And the structured result "dimensions" is 8
    And the structured result has no "embeddings"
    And the result meta "cost_usd" is 3e-07

  Scenario: Small embeddings come back in the structured result
    Given the upstream replays "media_embeddings"
    When I call "embed_texts" with
      """
      {"texts": ["red panda", "giant panda", "raccoon"]}
      """
    Then the call succeeds
    And the structured result "count" is 3
    And the structured result "embeddings.2.7" is 0.14112
