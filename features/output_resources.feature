Feature: Generated files are MCP resources
  Clients that cannot take large inline media list and read saved outputs as resources.

  Scenario: A saved file is listed and can be read back byte for byte
    Given my output folder holds "cat.png" with 3000 bytes
    When I list the resources
    Then the resources include "output://files/cat.png" as "image/png"
    When I read the resource "output://files/cat.png"
    Then the resource holds the same bytes as "cat.png"

  Scenario: Files in sub-folders are listed with their relative path
    Given my output folder holds "videos/clip one.mp4" with 10 bytes
    When I list the resources
    Then the resources include "output://files/videos/clip%20one.mp4" as "video/mp4"

  Scenario: A resource outside the output folder cannot be read
    Given my output folder holds "cat.png" with 10 bytes
    When I read the resource "output://files/../../etc/passwd"
    Then reading the resource fails
