#!/usr/bin/env bash
# Runs the README's AWS CLI session (the ```sh block that stores and restores an image) as written, in a scratch
# folder, against a running server: AMIVAULT_URL (default http://127.0.0.1:8750) with the AWS_* keys and region of the
# environment, and `amivault` from the PATH. Two lines are the reader's to adapt and are adapted here: the one that
# says to paste the keys serve printed (left out: they come from the environment) and the endpoint line (pointed at
# AMIVAULT_URL). Every other line runs verbatim, with `set -euo pipefail`, so a step that fails fails the run.
set -euo pipefail
readme="$(cd "$(dirname "$0")/.." && pwd)/README.md"
url="${AMIVAULT_URL:-http://127.0.0.1:8750}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

awk '/^```sh$/ { inside = 1; block = ""; next }
     /^```$/   { if (inside && block ~ /create-store-image-task/) { printf "%s", block; found = 1; exit } inside = 0; next }
     inside    { block = block $0 "\n" }
     END       { if (!found) exit 1 }' "$readme" > "$work/session.sh"

endpoint_line='E=--endpoint-url=http://127.0.0.1:8750'
grep -qx -- "$endpoint_line" "$work/session.sh" || { echo "README: no line '$endpoint_line' in the session" >&2; exit 1; }
grep -v '^export AWS_ACCESS_KEY_ID=\.\.\. ' "$work/session.sh" \
    | sed "s#^$endpoint_line\$#E=--endpoint-url=$url#" > "$work/run.sh"

cd "$work"
bash -euo pipefail run.sh
