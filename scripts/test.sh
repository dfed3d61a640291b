#!/usr/bin/env bash
# Runs every test AmiVault has. Installs what the tests need first (Debian packages) when it is missing, so this
# one command works on a fresh Debian 12 machine with the .NET 10 SDK. Prints "N passed, N failed" at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(awscli python3-boto3 openssl zstd restic rclone qemu-utils e2fsprogs radosgw ceph-mon ceph-osd ceph-common chromium chromium-driver postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing test prerequisites: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build -c Release AmiVault.slnx -nologo -v quiet
results=$(mktemp -d)
status=0
dotnet test -c Release --no-build tests/AmiVault.Tests/AmiVault.Tests.csproj -nologo \
  --logger "trx;LogFileName=tests.trx" --results-directory "$results" --logger "console;verbosity=normal" || status=$?

# The benchmark suite's smoke mode: every benchmark once on tiny inputs, no timing asserted, so none can rot.
bench_status=0
bench/run.sh --smoke --work-dir "$results/bench" --results-dir "$results/bench-results" || bench_status=$?
if [ "$bench_status" -ne 0 ]; then
  echo "Benchmark smoke run failed (exit $bench_status)."
  status=1
fi

# Supply chain: no package (direct or transitive) with a known vulnerability, as NuGet's advisory data says today.
vulnerable=$(dotnet list AmiVault.slnx package --vulnerable --include-transitive 2>&1) || { echo "$vulnerable"; status=1; }
if grep -q "has the following vulnerable packages" <<<"$vulnerable"; then
  echo "$vulnerable"
  echo "Vulnerable packages: update them in Directory.Packages.props."
  status=1
fi

trx="$results/tests.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
  skipped=$((total - executed))
  [ "$bench_status" -eq 0 ] || failed=$(( ${failed:-0} + 1 ))
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
