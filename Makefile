.PHONY: run test build bench

# The whole system on embedded defaults (SQLite, ./data); Ctrl-C stops it.
run:
	@scripts/run-local.sh

# Every test, against a throwaway PostgreSQL.
test:
	@scripts/test.sh

build:
	swift build
