.PHONY: run test

# Installs what it needs, migrates, seeds the demo, starts everything and prints the URL.
run:
	@bash scripts/run.sh

# The whole suite: ruff, mypy, embedded-default tests, then integration tests on the real services.
test:
	@bash scripts/test.sh
