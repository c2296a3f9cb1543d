# Shared by scripts/demo.sh and scripts/test.sh: dependencies, build, throwaway clusters.
# Source it; it defines functions only.

ROLLOY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${ROLLOY_PG_BIN:-/usr/lib/postgresql/15/bin}
export PATH="$PG_BIN:$PATH"

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the build, the cluster and the tests need; installs only what is missing.
ROLLOY_PACKAGES=(
    g++ make cmake pkg-config python3 zip unzip curl clang libclang-rt-14-dev
    libgtest-dev libbenchmark-dev
    postgresql-15 postgresql-client-15 postgresql-server-dev-15
    postgresql-15-pgtap postgresql-15-cron libtap-parser-sourcehandler-pgtap-perl
    libcurl4-openssl-dev libjansson-dev libjpeg-dev libvips-dev libvips-tools libssl-dev zlib1g-dev
    libboost-math-dev
    chromium nodejs
    iproute2
)

install_deps() {
    local missing=()
    for p in "${ROLLOY_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "dependencies: all ${#ROLLOY_PACKAGES[@]} packages present"
        return
    fi
    log "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_and_install() {
    log "building and installing the extension"
    # ROLLOY_WERROR=1 (scripts/test.sh, so CI): a warning fails the build. The demo builds
    # without it, so that a newer compiler's new warning does not stop a user.
    (cd "$ROLLOY_ROOT" && make -s -j"$(nproc)" WERROR="${ROLLOY_WERROR:-0}" PG_CONFIG="$PG_BIN/pg_config" >/dev/null &&
        as_root make -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null)
}

# Runs a command as the postgres OS user from a working directory it can enter: initdb and
# pg_ctl fail with "could not change directory" when they inherit the cwd of a clone in a
# folder postgres cannot read (root's home, a mode-700 mktemp folder).
as_postgres() {
    (cd / && runuser -u postgres -- "$@")
}

# The data folder of cluster NAME, resolved (empty when there is none).
cluster_dir() {
    local link="$ROLLOY_ROOT/.cluster/$1"
    [ -e "$link" ] && readlink -f "$link"
}

# Throwaway cluster run by the postgres OS user (initdb refuses root). Its folder always lives
# outside the clone, in a fresh /tmp/rolloy-NAME-XXXXXX that postgres owns, so the clone may sit
# anywhere (root's home, a mode-700 folder); .cluster/NAME in the clone (git-ignored) links to
# it for people, and every command gets the resolved path.
#   cluster_start NAME PORT [extra postgresql.conf lines...]
# Our default ports sit below the kernel's ephemeral range (32768-60999 on Linux): a port inside
# it can be taken at any moment as the local end of an outgoing connection (psql, curl, the
# fakes), and the postmaster then cannot bind it. CI failed once that way on 54394.
cluster_start() {
    local name=$1 port=$2
    shift 2
    local low high
    read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    if [ -n "$low" ] && [ "$port" -ge "$low" ] && [ "$port" -le "$high" ]; then
        echo "warning: port $port is in the ephemeral range $low-$high; the cluster may fail to bind it" >&2
    fi
    cluster_remove "$name"
    local dir
    dir=$(mktemp -d "/tmp/rolloy-$name-XXXXXX")
    mkdir -p "$ROLLOY_ROOT/.cluster"
    ln -sfn "$dir" "$ROLLOY_ROOT/.cluster/$name"
    chown postgres:postgres "$dir" && chmod 700 "$dir"
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null ||
        die "initdb of cluster $name in $dir failed"
    {
        echo "port = $port"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$dir'"
        echo "fsync = off"
        echo "full_page_writes = off"
        echo "max_worker_processes = 16"
        echo "log_min_messages = warning"
        printf '%s\n' "$@"
    } >>"$dir/data/postgresql.conf"
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { cat "$dir/server.log" >&2; die "cluster $name did not start"; }
    log "cluster $name up on 127.0.0.1:$port (data in $dir/data, log $dir/server.log)"
}

# pg_ctl on cluster NAME as postgres: cluster_pg_ctl NAME restart -m fast ...
cluster_pg_ctl() {
    local dir
    dir=$(cluster_dir "$1") || die "no cluster $1"
    shift
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "$@"
}

cluster_stop() {
    local dir
    dir=$(cluster_dir "$1") || return 0
    [ -d "$dir/data" ] || return 0
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

cluster_remove() {
    local link="$ROLLOY_ROOT/.cluster/$1" dir
    cluster_stop "$1"
    if dir=$(cluster_dir "$1") && [ "$dir" != "$link" ]; then
        # Only our own folders: a link that points elsewhere is not deleted through.
        case $dir in /tmp/rolloy-"$1"-*) rm -rf "$dir" ;; esac
    fi
    rm -rf "$link"
}
