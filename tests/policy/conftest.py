from tests.lifecycle.conftest import book, cfg, renderer  # noqa: F401  (same fixtures)
