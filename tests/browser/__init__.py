"""End-to-end tests that drive a real Chromium through Playwright against ``live_server``."""
