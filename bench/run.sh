#!/usr/bin/env bash
# The benchmark suite in one command: installs the peer tools it compares with when missing, builds in Release,
# runs every scenario (ours and peers alternating), and writes bench-results/DATE.json, docs/benchmarks.md,
# docs/benchmarks.json and docs/benchmarks-throughput.png.
#
#   bench/run.sh [--smoke] [--size 2G] [--reps 3] [--only ebs-blocks,s3-objects,...] [--work-dir DIR]
#                (--smoke: tiny inputs, everything once, micro-benchmarks included: what CI runs)
#   bench/run.sh compare OLD.json NEW.json      what changed between two runs
#   bench/run.sh report RESULT.json             write docs/benchmarks.* again from a result
#   bench/run.sh micro [--filter '*Zstd*']      BenchmarkDotNet micro-benchmarks
#   bench/run.sh generate FILE --size 2G        write a generated disk image
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v zstd >/dev/null || missing+=(zstd)
command -v restic >/dev/null || missing+=(restic)
command -v rclone >/dev/null || missing+=(rclone)
[ -x /usr/bin/aws ] || missing+=(awscli)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing peer tools from Debian: ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build -c Release -nologo -v quiet bench/AmiVault.Benchmarks >/dev/null
run() { dotnet run -c Release --no-build --project bench/AmiVault.Benchmarks -- "$@"; }
case "${1:-}" in
    compare|report|micro|generate) run "$@" ;;
    *)
        run suite --command-line "bench/run.sh $*" "$@"
        # A smoke run (CI) also passes once through every micro-benchmark, so that none can rot either.
        if [[ " $* " == *" --smoke "* ]]; then
            run micro --smoke --artifacts bench-work/micro
        fi
        ;;
esac
