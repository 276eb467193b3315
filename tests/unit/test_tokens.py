"""The tokens file: hashed entries, gateway flag, comments, malformed lines, verification."""

from __future__ import annotations

import pytest

from openrouter_multimodal.domain.errors import ConfigurationError
from openrouter_multimodal.entrypoints.tokens import TokenBook, file_line, new_token, token_digest


def test_a_minted_token_verifies_and_only_its_digest_is_stored() -> None:
    alice, gateway = new_token(), new_token()
    text = f"# team tokens\n\n{file_line(alice, 'alice')}\n{file_line(gateway, 'librechat', gateway=True)}  # LC\n"
    book = TokenBook.parse(text)
    assert alice not in text and token_digest(alice) in text
    grant = book.verify(alice)
    assert grant is not None and (grant.subject, grant.gateway) == ("alice", False)
    grant = book.verify(gateway)
    assert grant is not None and (grant.subject, grant.gateway) == ("librechat", True)
    assert book.verify(alice + "x") is None and book.verify("") is None and book.verify("a" * 10_000) is None
    assert len(book) == 2


@pytest.mark.parametrize("line", [
    "abc alice",
    f"{'0' * 64}",
    f"{'0' * 64} alice admin",
    f"{'0' * 64} ../x",
    f"{'g' * 64} alice",
])
def test_malformed_lines_name_the_line_and_stop_the_server(line: str) -> None:
    with pytest.raises(ConfigurationError, match="line 2"):
        TokenBook.parse(f"# ok\n{line}\n", "tokens.txt")
