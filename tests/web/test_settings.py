"""Production settings refuse unsafe configuration and pass Django's deploy checks."""

import os
import secrets
import subprocess
import sys

import pytest

SAFE = {
    "THREADLINE_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "AUDIT_HMAC_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "threadline.example.org",
    "DATABASE_URL": "sqlite:////tmp/threadline-deploy-check.sqlite3",
}


def threadline(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DEBUG", "SECRET_KEY", "AUDIT_HMAC_KEY"}
    }
    return subprocess.run(
        [sys.executable, "-m", "threadline.manage", *args],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=300,  # hashing every file; minutes on a machine busy with other work
    )


def test_production_settings_pass_check_deploy():
    result = threadline("check", "--deploy", "--fail-level", "WARNING", **SAFE)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_collects_the_static_files_hashed_and_without_the_crown(tmp_path):
    result = threadline("collectstatic", "--noinput", **SAFE, STATIC_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    hashed = [p for p in (tmp_path / "dist").glob("app.*.css") if p.suffix == ".css"]
    assert hashed, "the stylesheet is collected under a hashed name"
    assert not list(tmp_path.rglob("*crest*")), "Threadline is not a gov.uk service"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be off in production"),
        ({"SECRET_KEY": "short"}, "Set SECRET_KEY"),
        ({"AUDIT_HMAC_KEY": ""}, "Set AUDIT_HMAC_KEY"),
        ({"DEBUG": "perhaps"}, "DEBUG must be true or false"),
        ({"MFA_REQUIRED": "false"}, "MFA_REQUIRED cannot be turned off in production"),
    ],
)
def test_production_refuses_to_start_unsafely(override, message):
    result = threadline("check", **(SAFE | override))
    assert result.returncode != 0
    assert message in result.stderr
