"""The TUI's fixtures, for the tests that check the dashboard beside the CLI and the exports."""

from tests.tui.conftest import app_as, sqlite_demo  # noqa: F401  (fixtures used by test_everywhere)
