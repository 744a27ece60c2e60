.PHONY: run demo test build admin import-original

# The whole system on embedded defaults (SQLite, ./data); Ctrl-C stops it.
run:
	@scripts/run-local.sh

# Demo DJs publishing ffmpeg test patterns into a running `make run` (in another terminal).
demo:
	@scripts/demo.sh

# Every test, against a throwaway PostgreSQL.
test:
	@scripts/test.sh

build:
	swift build

# An admin for the local system: make admin EMAIL=you@example.org DJ_NAME="You" (asks for a password).
admin:
	@scripts/account-command.sh admin create --email "$(EMAIL)" --dj-name "$(DJ_NAME)"

# Copy the original system's users: make import-original ORIGINAL_DATABASE_URL=postgres://…
import-original:
	@scripts/account-command.sh import-original --database-url "$(ORIGINAL_DATABASE_URL)"
