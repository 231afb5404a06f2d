#!/bin/sh
# Rebuilds the sample images from the real package databases in tests/fixtures/ (see
# tests/it/samples.rs for what each image holds). The build is deterministic: running it
# again changes nothing.
set -e
cd "$(dirname "$0")/.."
UPDATE_SAMPLES=1 cargo test --quiet --test it samples
