#!/usr/bin/env bash
# Formatting: the whole workspace must be rustfmt-clean.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
