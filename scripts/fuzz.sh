#!/usr/bin/env bash
# The property tests as a fuzzing-style run: every `prop_` test with
# 100,000 generated cases (or PROPTEST_CASES) instead of the 256 of every
# `cargo test`. Not part of scripts/test.sh: it takes minutes.
#
#   scripts/fuzz.sh [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES=${1:-${PROPTEST_CASES:-100000}}
echo "fuzz: $PROPTEST_CASES cases per property"
time cargo test --locked --release --lib prop_ -- --test-threads 2
