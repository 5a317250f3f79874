#!/usr/bin/env bash
# Lints: clippy on every target, warnings are errors (clippy.toml bans the
# wall clock, unseeded RNGs and std hash maps).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo clippy --all-targets -- -D warnings
