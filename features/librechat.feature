Feature: LibreChat uses the server as a team service
  LibreChat connects with one gateway token, names each user in the x-user-id header
  ('{{LIBRECHAT_USER_ID}}'), uses the SSE transport when no type is set, and moves image
  blocks out of the text it gives the model: results must start with a text summary.

  Background:
    Given the HTTP service runs with a gateway token for "librechat"

  Scenario: An image generated for a LibreChat user starts with a text summary
    When LibreChat asks over SSE for user "64f1c0ffee0123456789abcd" to generate an image of "a cat"
    Then the result starts with a text summary naming the saved file, its size and the model
    And the summary says the image is already shown to the user
    And the result has an image but no resource_link or audio blocks
    And the image is saved in the folder of user "64f1c0ffee0123456789abcd" only

  Scenario: OPENROUTER_RESULT_PROFILE=librechat shapes results whatever the client is called
    Given the service sets OPENROUTER_RESULT_PROFILE to "librechat"
    When the client "some-other-client" asks over SSE for user "64f1c0ffee0123456789abcd" to generate an image of "a cat"
    Then the result starts with a text summary naming the saved file, its size and the model
    And the result has an image but no resource_link or audio blocks

  Scenario: Other clients keep the resource link
    When the client "e2e-client" asks over SSE for user "64f1c0ffee0123456789abcd" to generate an image of "a cat"
    Then the result starts with a text summary naming the saved file, its size and the model
    And the result has a resource_link block

  Scenario: An unresolved user placeholder is refused, never served
    When LibreChat connects over SSE with the user header "{{LIBRECHAT_USER_ID}}"
    Then the connection is refused with HTTP 400 naming the user id
    And no output folder was created for anyone
