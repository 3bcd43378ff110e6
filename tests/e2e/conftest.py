"""Browser tests: Playwright driving Debian's chromium against pytest-django's live_server.

Playwright cannot download its own browser on our machines, so it launches the system
chromium. CI installs it (.ci/run); without it these tests fail rather than skip, so a
missing browser can never pass silently.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    # No background calls home: the machines have no network, and they slow start-up.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Browser tests need Debian's chromium package: run `apt-get install chromium` "
            "(Playwright cannot download its own browser here).",
            pytrace=False,
        )
    headless = browser_type_launch_args.get("headless", True)  # False with --headed
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": (["--headless"] if headless else []) + CHROMIUM_ARGS,
    }


def pytest_itemcollected(item):
    # Called only for items under this directory, and before `-m` selects by marker.
    item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(trylast=True)  # after pytest-django's own reordering
def pytest_collection_modifyitems(items):
    # Browser tests run last, so the setting below never reaches the other tests.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)  # stable


@pytest.hookimpl(tryfirst=True)  # before this test's fixtures are set up
def pytest_runtest_setup(item):
    # From the first browser test to the end of the session, Playwright's sync API keeps
    # an asyncio loop running in this thread, and Django refuses ORM calls (factories,
    # flushing and dropping the test database) while one runs. Set here rather than at
    # import so that earlier tests, and the subprocesses they start (`check --deploy`
    # rejects this variable), never see it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
