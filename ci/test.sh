#!/usr/bin/env bash
# The README's test command, exactly as a new user runs it. It includes the
# end-to-end tests, the determinism checks and the corpus replay.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test
