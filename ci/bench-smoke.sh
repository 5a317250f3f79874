#!/usr/bin/env bash
# A short release-mode run of the side-by-side benchmark, so the command
# BENCHMARKS.md gives keeps working. Figures come from the full run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -- bench --smoke
