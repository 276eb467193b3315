Feature: The user's own images, named by index or file id
  In a chat front-end the model sees an uploaded picture only as pixels. get_user_images lists the
  caller's images as INDEX_n and file ids, and every image input accepts those names, resolved in the
  caller's own library only, so "make the car in my photo red" edits the right picture.

  Background:
    Given the HTTP service with a folder library, a LibreChat gateway token and the upstream replaying "gen_image_viewable"
    And "alice" uploaded "red.png" then "blue.png"
    And "bob" uploaded "green.png"

  Scenario: A LibreChat user lists their images and edits the newest one by index
    When "alice" calls "get_user_images" over HTTP
    Then the listing is "blue.png, red.png"
    When "alice" calls "generate_image" over HTTP with
      """
      {"prompt": "make the car red", "reference_image_url": "1"}
      """
    Then the HTTP call succeeds
    And the upstream received the bytes of "alice"'s "blue.png" only
    # the image just generated is now INDEX_1, so red.png moved from INDEX_2 to INDEX_3
    When "alice" calls "generate_image" over HTTP with
      """
      {"prompt": "make it a sketch", "reference_images": ["INDEX_3"]}
      """
    Then the HTTP call succeeds
    And the upstream received the bytes of "alice"'s "red.png" only

  Scenario: Another user's index and file ids never reach the first user's picture
    # alice has two images, bob one: bob's INDEX_2 is nothing, never alice's second picture
    When "bob" calls "generate_image" over HTTP with
      """
      {"prompt": "make the car red", "reference_images": ["INDEX_2"]}
      """
    Then the HTTP call fails with code "INVALID_INPUT" saying "get_user_images"
    And the upstream received no new image request
    When "bob" calls "generate_image" over HTTP with
      """
      {"prompt": "make the car red", "reference_images": ["1"]}
      """
    Then the HTTP call succeeds
    And the upstream received the bytes of "bob"'s "green.png" only
    When "bob" calls "generate_image" over HTTP with the file id of "alice"'s "blue.png"
    Then the HTTP call fails with code "INVALID_INPUT" saying "get_user_images"
    And the upstream received no new image request

  Scenario: A generated image joins the library as INDEX_1, so "now make it bluer" edits the last result
    When "alice" calls "generate_image" over HTTP with
      """
      {"prompt": "a red car"}
      """
    Then the HTTP call succeeds
    When "alice" calls "get_user_images" over HTTP
    Then the listing starts with the image "alice" just generated, then "blue.png, red.png"
    When "alice" calls "generate_image" over HTTP with
      """
      {"prompt": "now make it bluer", "reference_images": ["1"]}
      """
    Then the upstream received the bytes of the image "alice" generated first
