#!/usr/bin/env bash
# Writes a small AmiVault data folder with the amivault built from this checkout, the way a user would fill one (the
# AWS CLI against `amivault serve`), and packs it as tests/AmiVault.Tests/Upgrade/<name>.tar.gz with a facts file
# <name>.json (the ids it got and the digests of what it stored). UpgradeTests serves a copy of every such folder with
# today's build and checks nothing was lost: the folders are the formats of past releases, frozen.
#
# Run it once per release whose on-disk format differs from the last folder's (never re-run it for an old name):
#   dotnet build -c Release AmiVault.slnx && scripts/make-upgrade-data.sh release-YYYY-MM-DD
#
# What it holds (UpgradeTests asserts each):
# - the generated development account (dev-account.json), with encryption by default turned on at the end;
# - snapshot A (1 GiB): blocks 0, 1 and 7 written (mostly zero, so the folder stays small), block 3 all zeros;
#   snapshot B (2 GiB): block 0 (same data as A's block 0: one block file for both), block 4000; both tagged;
# - image "upgrade-fixture" with A as /dev/xvda and B as /dev/xvdb, tagged, stored in bucket upgrade-images as
#   <ami>.bin (a completed store task), and restored once as "upgrade-fixture-restored" (a completed restore task);
# - in upgrade-images: notes/sse.bin put with x-amz-server-side-encryption AES256, and an unfinished multipart upload;
# - bucket upgrade-encrypted with default encryption, holding docs/readme.txt (metadata, tags, encrypted by default).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/make-upgrade-data.sh NAME (e.g. release-2026-12-03)}
out_dir=tests/AmiVault.Tests/Upgrade
[ ! -e "$out_dir/$name.tar.gz" ] || { echo "$out_dir/$name.tar.gz exists: a frozen folder is never regenerated." >&2; exit 1; }

amivault=src/AmiVault/bin/Release/net10.0/amivault
aws=/usr/bin/aws
work=$(mktemp -d)
data="$work/data"
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The generated development account: no AMIVAULT_* keys in the environment.
env -u AMIVAULT_ACCOUNT_ID -u AMIVAULT_ACCESS_KEY_ID -u AMIVAULT_SECRET_ACCESS_KEY \
  "$amivault" serve --port 0 --data-dir "$data" --region us-east-1 > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do grep -q '^AmiVault listening on ' "$work/serve.log" && break; sleep 0.5; done
endpoint=$(sed -n 's/^AmiVault listening on \([^ ]*\).*/\1/p' "$work/serve.log" | sed 's:/$::')
[ -n "$endpoint" ] || { cat "$work/serve.log"; exit 1; }
AWS_ACCESS_KEY_ID=$(sed -n 's/.*export AWS_ACCESS_KEY_ID=//p' "$work/serve.log")
AWS_SECRET_ACCESS_KEY=$(sed -n 's/.*export AWS_SECRET_ACCESS_KEY=//p' "$work/serve.log")
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
unset AWS_PROFILE AWS_SESSION_TOKEN
E=(--endpoint-url "$endpoint")

# A 512 KiB block: a line of text naming it, then zeros.
block() {
  local file="$work/$1.blk"
  { printf 'amivault upgrade fixture: %s\n' "$1"; head -c 524288 /dev/zero; } | head -c 524288 > "$file"
  echo "$file"
}
sha() { openssl dgst -sha256 -binary "$1" | base64; }

# Writes a snapshot: $1 volume GiB, $2 description, then pairs of (index, block file) in ascending index order.
snapshot() {
  local size=$1 description=$2; shift 2
  local snap digests="$work/digests" count=0
  snap=$("$aws" ebs start-snapshot "${E[@]}" --volume-size "$size" --description "$description" --query SnapshotId --output text)
  : > "$digests"
  while (($#)); do
    "$aws" ebs put-snapshot-block "${E[@]}" --snapshot-id "$snap" --block-index "$1" --block-data "$2" \
      --data-length 524288 --checksum "$(sha "$2")" --checksum-algorithm SHA256 > /dev/null
    openssl dgst -sha256 -binary "$2" >> "$digests"
    count=$((count + 1)); shift 2
  done
  "$aws" ebs complete-snapshot "${E[@]}" --snapshot-id "$snap" --changed-blocks-count "$count" \
    --checksum "$(openssl dgst -sha256 -binary "$digests" | base64)" --checksum-algorithm SHA256 \
    --checksum-aggregation-method LINEAR > /dev/null
  "$aws" ec2 wait snapshot-completed "${E[@]}" --snapshot-ids "$snap"
  echo "$snap"
}

a0=$(block "shared block 0"); a1=$(block "snapshot A block 1"); a7=$(block "snapshot A block 7")
b4000=$(block "snapshot B block 4000")
head -c 524288 /dev/zero > "$work/zero.blk"
snap_a=$(snapshot 1 "upgrade fixture A" 0 "$a0" 1 "$a1" 3 "$work/zero.blk" 7 "$a7")
snap_b=$(snapshot 2 "upgrade fixture B" 0 "$a0" 4000 "$b4000")
"$aws" ec2 create-tags "${E[@]}" --resources "$snap_a" --tags Key=Name,Value=root Key=Role,Value=boot
"$aws" ec2 create-tags "${E[@]}" --resources "$snap_b" --tags Key=Name,Value=data

ami=$("$aws" ec2 register-image "${E[@]}" --name upgrade-fixture --description "upgrade fixture image" \
  --architecture x86_64 --root-device-name /dev/xvda --virtualization-type hvm --boot-mode uefi --ena-support \
  --block-device-mappings "DeviceName=/dev/xvda,Ebs={SnapshotId=$snap_a}" "DeviceName=/dev/xvdb,Ebs={SnapshotId=$snap_b}" \
  --query ImageId --output text)
"$aws" ec2 create-tags "${E[@]}" --resources "$ami" --tags Key=Team,Value=platform "Key=Release,Value=2026 12"

"$aws" s3 mb "${E[@]}" s3://upgrade-images > /dev/null
"$aws" ec2 create-store-image-task "${E[@]}" --image-id "$ami" --bucket upgrade-images > /dev/null
for _ in $(seq 1 120); do
  state=$("$aws" ec2 describe-store-image-tasks "${E[@]}" --image-ids "$ami" --query 'StoreImageTaskResults[0].StoreTaskState' --output text)
  [ "$state" != Completed ] || break
  [ "$state" = InProgress ] || { echo "store task: $state" >&2; exit 1; }
  sleep 0.5
done
[ "$state" = Completed ]
restored=$("$aws" ec2 create-restore-image-task "${E[@]}" --bucket upgrade-images --object-key "$ami.bin" \
  --name upgrade-fixture-restored --query ImageId --output text)
"$aws" ec2 wait image-available "${E[@]}" --image-ids "$restored"

# 16 KiB of deterministic bytes, kept encrypted at rest by the explicit header.
python3 -c 'import hashlib,sys; sys.stdout.buffer.write(b"".join(hashlib.sha256(b"sse %d" % i).digest() for i in range(512)))' > "$work/sse.bin"
"$aws" s3api put-object "${E[@]}" --bucket upgrade-images --key notes/sse.bin --body "$work/sse.bin" \
  --server-side-encryption AES256 > /dev/null
upload=$("$aws" s3api create-multipart-upload "${E[@]}" --bucket upgrade-images --key unfinished/part.bin --query UploadId --output text)
printf 'the first part of an upload nobody finished\n' > "$work/part1"
"$aws" s3api upload-part "${E[@]}" --bucket upgrade-images --key unfinished/part.bin --upload-id "$upload" \
  --part-number 1 --body "$work/part1" > /dev/null

"$aws" s3 mb "${E[@]}" s3://upgrade-encrypted > /dev/null
"$aws" s3api put-bucket-encryption "${E[@]}" --bucket upgrade-encrypted \
  --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
printf 'kept encrypted by the bucket default\n' > "$work/readme.txt"
"$aws" s3api put-object "${E[@]}" --bucket upgrade-encrypted --key docs/readme.txt --body "$work/readme.txt" \
  --content-type text/plain --metadata purpose=upgrade-test --tagging 'kind=doc' > /dev/null

"$aws" ec2 enable-ebs-encryption-by-default "${E[@]}" > /dev/null

"$aws" s3 cp "${E[@]}" "s3://upgrade-images/$ami.bin" "$work/stored.bin" > /dev/null
account=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Id"])' "$data/dev-account.json")

kill "$server_pid"; wait "$server_pid" || true; server_pid=
# Leave the catalog as one file: fold the WAL in (SQLite deletes it when the last connection closes cleanly).
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$data/catalog.db"

mkdir -p "$out_dir"
tar -C "$data" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out_dir/$name.tar.gz" .
cat > "$out_dir/$name.json" <<EOF
{
  "Commit": "$(git rev-parse HEAD)",
  "AccountId": "$account",
  "ImageId": "$ami",
  "RestoredImageId": "$restored",
  "SnapshotA": "$snap_a",
  "SnapshotB": "$snap_b",
  "StoredObjectSha256": "$(sha "$work/stored.bin")",
  "StoredObjectSize": $(stat -c %s "$work/stored.bin"),
  "UnfinishedUploadId": "$upload"
}
EOF
echo "Wrote $out_dir/$name.tar.gz ($(stat -c %s "$out_dir/$name.tar.gz") bytes) and $out_dir/$name.json"
