"""Library settings: the compose file's LibreChat values, secret Mongo credentials, the adapter choice."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml

from openrouter_multimodal.entrypoints.settings import Settings, env_name

ROOT = Path(__file__).resolve().parents[2]


def test_the_compose_file_reads_librechats_files_through_read_only_mounts() -> None:
    service = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())["services"]["openrouter-mcp"]
    env = service["environment"]
    known = {env_name(field) for field in Settings.model_fields}
    library = {k: v for k, v in env.items() if "LIBRAR" in k or "LIBRECHAT" in k}
    assert set(library) <= known and env["OPENROUTER_LIBRARY"] == "librechat"
    settings = Settings(**{k.removeprefix("OPENROUTER_").lower(): v for k, v in library.items()})
    assert settings.librechat_mongo_uri == "mongodb://mongodb:27017/LibreChat"
    mounts = {m.split(":")[1]: m for m in service["volumes"]}
    for folder in (settings.librechat_images_dir, settings.librechat_uploads_dir):
        assert folder in mounts and mounts[folder].endswith(":ro"), folder


def test_credentials_in_the_mongo_uri_are_secrets() -> None:
    settings = Settings(librechat_mongo_uri="mongodb://reader:s3cret-pw@mongodb:27017/LibreChat")
    assert "s3cret-pw" in settings.secret_values()


def test_an_unknown_library_kind_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(library="s3")
    assert Settings(library=" LibreChat ").library == "librechat"
