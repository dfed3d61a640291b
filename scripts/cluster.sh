#!/usr/bin/env bash
# A local AmiVault cluster on one machine: PostgreSQL (Debian's postgresql) for the catalog and task queue, Ceph RGW
# for the buckets and the snapshot blocks (the one answering on 127.0.0.1:7480, else started with shared/tools/ceph-rgw-single-node.sh),
# N `amivault serve` nodes with the same settings, and nginx (Debian's) in front as the one endpoint.
#
#   scripts/cluster.sh up [N]     # N nodes (default 3); prints the export lines to use it
#   scripts/cluster.sh down       # stops what `up` started and deletes its folder
#
# State lives in $AMIVAULT_CLUSTER_DIR (default /tmp/amivault-cluster). See docs/cluster.md.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${AMIVAULT_CLUSTER_DIR:-/tmp/amivault-cluster}"
front_port="${AMIVAULT_CLUSTER_PORT:-8750}"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 120); do if curl -fs -o /dev/null "$1"; then return 0; fi; sleep 0.5; done; echo "$1 did not answer" >&2; return 1; }

down() {
    [ -d "$dir" ] || { echo "no cluster in $dir"; return 0; }
    for pid_file in "$dir"/node-*.pid; do
        [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
    done
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
    [ -d "$dir/pg/data" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    [ -f "$dir/ceph.dir" ] && for pid_file in "$(cat "$dir/ceph.dir")"/run/*.pid; do kill "$(cat "$pid_file")" 2>/dev/null || true; done
    sleep 1
    rm -rf "$dir"
    echo "cluster in $dir stopped"
}

up() {
    local nodes="${1:-3}"
    [ -d "$dir" ] && { echo "$dir exists: run '$0 down' first" >&2; exit 1; }
    local missing=()
    [ -n "$(pg_bin)" ] || missing+=(postgresql)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "missing: apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    mkdir -p "$dir/pg"

    # PostgreSQL, on a free loopback port, trusting local connections (a development cluster; see docs/cluster.md
    # for a production database).
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/pg"
    local pg_port; pg_port="$(free_port)"
    as_postgres "$(pg_bin)/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
    as_postgres "$(pg_bin)/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
        -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null
    as_postgres "$(pg_bin)/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE amivault;"

    # Ceph RGW: reuse the one answering on 7480, else start the single-node one.
    if ! curl -s -o /dev/null http://127.0.0.1:7480; then
        local script="$repo/../shared/tools/ceph-rgw-single-node.sh"
        [ -f "$script" ] || script="$repo/../../shared/tools/ceph-rgw-single-node.sh"
        [ -f "$script" ] || { echo "no Ceph RGW on 127.0.0.1:7480 and no shared/tools/ceph-rgw-single-node.sh to start one" >&2; exit 1; }
        CEPH_ARGS="--mon-data-avail-crit=1" bash "$script" "$dir/ceph" >"$dir/ceph.log" 2>&1
        echo "$dir/ceph" > "$dir/ceph.dir"
    fi

    # The nodes: one configuration, as environment variables; each its own data folder (a read cache only: the blocks
    # are pack objects in one bucket of the RGW, shared by all).
    dotnet build -c Release "$repo/src/AmiVault" -nologo -v quiet >/dev/null
    local amivault="$repo/src/AmiVault/bin/Release/net10.0/amivault"
    local secrets_key; secrets_key="$(openssl rand -base64 32)"
    local access_key="AKIA$(openssl rand -hex 8 | tr a-f A-F)" secret_key; secret_key="$(openssl rand -base64 30)"
    # One bucket across ups: packs a previous cluster left are removed at start once older than the orphan grace.
    local upstream="" blocks_bucket="amivault-cluster-blocks"
    for i in $(seq 1 "$nodes"); do
        local port; port="$(free_port)"
        AMIVAULT_CATALOG__BACKEND=postgres \
        AMIVAULT_CATALOG__CONNECTIONSTRING="Host=127.0.0.1;Port=$pg_port;Database=amivault;Username=postgres" \
        AMIVAULT_CATALOG__SECRETSKEY="$secrets_key" \
        AMIVAULT_BUCKETS__BACKEND=external \
        AMIVAULT_BUCKETS__ENDPOINTURL=http://127.0.0.1:7480 \
        AMIVAULT_BUCKETS__ACCESSKEYID="${ACCESS_KEY:-TESTACCESSKEY}" \
        AMIVAULT_BUCKETS__SECRETACCESSKEY="${SECRET_KEY:-TESTSECRETKEY}" \
        AMIVAULT_BLOCKS__BACKEND=s3 \
        AMIVAULT_BLOCKS__ENDPOINTURL=http://127.0.0.1:7480 \
        AMIVAULT_BLOCKS__BUCKET="$blocks_bucket" \
        AMIVAULT_BLOCKS__ACCESSKEYID="${ACCESS_KEY:-TESTACCESSKEY}" \
        AMIVAULT_BLOCKS__SECRETACCESSKEY="${SECRET_KEY:-TESTSECRETKEY}" \
        AMIVAULT_ACCOUNT_ID=111111111111 AMIVAULT_ACCESS_KEY_ID="$access_key" AMIVAULT_SECRET_ACCESS_KEY="$secret_key" \
        AMIVAULT_LOGFORMAT=json \
            setsid "$amivault" serve --port "$port" --data-dir "$dir/node-$i" >"$dir/node-$i.log" 2>&1 &
        echo $! > "$dir/node-$i.pid"
        wait_for "http://127.0.0.1:$port/readyz"
        upstream+="        server 127.0.0.1:$port;"$'\n'
    done

    # nginx: the one endpoint. Bodies stream through unbuffered (EBS blocks, S3 parts); the Host header is passed
    # as the client sent it, since SigV4 signs it.
    cat > "$dir/nginx.conf" <<CONF
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events {}
http {
    access_log $dir/nginx-access.log;
    client_max_body_size 0;
    client_body_temp_path $dir/nginx-body;
    proxy_temp_path $dir/nginx-proxy;
    upstream amivault {
$upstream    }
    server {
        listen 127.0.0.1:$front_port;
        location / {
            proxy_pass http://amivault;
            proxy_http_version 1.1;
            proxy_set_header Host \$http_host;
            proxy_set_header Connection "";
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_read_timeout 600s;
            proxy_next_upstream error timeout;
        }
    }
}
CONF
    "$(command -v nginx || echo /usr/sbin/nginx)" -c "$dir/nginx.conf" -p "$dir" 2>/dev/null
    wait_for "http://127.0.0.1:$front_port/readyz"
    echo "# AmiVault cluster: $nodes nodes behind nginx on 127.0.0.1:$front_port; PostgreSQL on $pg_port; state in $dir"
    echo "export AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key AWS_DEFAULT_REGION=us-east-1"
    echo "E=--endpoint-url=http://127.0.0.1:$front_port   # aws ec2 describe-images \$E --owners self"
}

case "${1:-}" in
    up) up "${2:-3}" ;;
    down) down ;;
    *) echo "usage: $0 up [nodes] | down" >&2; exit 2 ;;
esac
