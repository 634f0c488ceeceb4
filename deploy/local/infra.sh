#!/usr/bin/env bash
# deploy/local/infra.sh — fetch, start, stop and inspect the real backing servers
# (Apache Kafka, Elasticsearch, PostgreSQL) for local development, tests and CI.
#
#   infra.sh fetch                       download/prepare everything (cached, idempotent)
#   infra.sh up [kafka|es|pg ...]        start (default: all) and wait until ready
#   infra.sh down [kafka|es|pg ...]      stop (default: all); data is kept
#   infra.sh down-started <tag>          stop what `up` recorded under ECO_STARTED_TAG=<tag>
#   infra.sh status                      one line per server
#   infra.sh env                         `export` lines for eval
#   infra.sh kafka-node <dir> <port> <controller_port>   private disposable broker
#   infra.sh kafka-node-stop <dir>
#
# See deploy/local/README.md for the why of each choice.
set -euo pipefail

# ---------------------------------------------------------------- settings ---
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

ECO_CACHE_DIR=${ECO_CACHE_DIR:-$REPO_ROOT/.cache}
ECO_RUN_DIR=${ECO_RUN_DIR:-$REPO_ROOT/.run}
ECO_LOG_DIR=$ECO_RUN_DIR/logs
ECO_PID_DIR=$ECO_RUN_DIR/pids

KAFKA_VERSION=${KAFKA_VERSION:-4.1.1}
KAFKA_LOG4J_VERSION=${KAFKA_LOG4J_VERSION:-2.24.3}  # the log4j-core version kafka-server 4.1.1 pulls in
ES_VERSION=${ES_VERSION:-8.19.7}
PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}

ECO_HOST=127.0.0.1
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
ES_PORT=${ES_PORT:-9200}
ES_TRANSPORT_PORT=${ES_TRANSPORT_PORT:-9300}
PG_PORT=${PG_PORT:-55432}

KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
ES_HEAP_OPTS=${ES_HEAP_OPTS:--Xms512m -Xmx512m}

KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
ES_START_TIMEOUT=${ES_START_TIMEOUT:-180}
PG_START_TIMEOUT=${PG_START_TIMEOUT:-60}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}

# Elasticsearch and PostgreSQL both refuse to run as root.
# Elasticsearch and PostgreSQL refuse to run as root, so root runs them as these users; anyone else
# runs them as themselves (no user to create, nothing to chown).
if [[ $EUID -eq 0 ]]; then
    ES_USER=${ES_USER:-eco}
    PG_USER=${PG_USER:-postgres}
else
    ES_USER=${ES_USER:-$(id -un)}
    PG_USER=${PG_USER:-$(id -un)}
fi
PG_DATABASES=(eco_permits eco_monitoring eco_enforcement eco_risk eco_evaluation eco_codes eco_gateway)

ALL_SERVERS=(kafka es pg)

KAFKA_HOME=$ECO_CACHE_DIR/kafka/$KAFKA_VERSION
ES_DIST_DIR=$ECO_CACHE_DIR/elasticsearch
ES_HOME_CACHED=$ES_DIST_DIR/elasticsearch-$ES_VERSION

# If the checkout lives where the `eco`/`postgres` users cannot traverse (e.g. under
# /root, mode 700), their files go here instead: a per-checkout folder in /var/tmp.
# One per run dir, so the test servers' data never meets the demo's (both may fall back here).
FALLBACK_DIR=${ECO_FALLBACK_DIR:-/var/tmp/eco-infra-$(printf %s "$ECO_RUN_DIR" | sha1sum | cut -c1-10)}

# ----------------------------------------------------------------- helpers ---
say() { printf '%s\n' "$*"; }
die() { printf 'infra.sh: %s\n' "$*" >&2; exit 1; }

need_cmd() { # <command> <how to install>
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found. Install it: $2"
}

need_java() {
    need_cmd java "apt-get install -y openjdk-17-jre-headless maven"
    local major
    major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
    [[ ${major%%.*} -ge 17 ]] 2>/dev/null \
        || die "Java >= 17 required, found '${major:-unknown}'. Install it: apt-get install -y openjdk-17-jre-headless"
}

need_mvn() {
    need_cmd mvn "apt-get install -y maven openjdk-17-jre-headless"
}

# Is <port> accepting TCP connections on 127.0.0.1? (bash /dev/tcp, no nc needed)
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$ECO_HOST/$1" 2>/dev/null
}

# Prints the pid in <pidfile> if that process is alive and its command line
# matches <pattern> (guards against a stale pid reused by another program).
live_pid() { # <pidfile> <pattern>
    local pid
    [[ -f $1 ]] || return 1
    pid=$(<"$1")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
    printf '%s' "$pid"
}

# Is the process in <pidfile> still alive (not exited, not a zombie)? Used while
# waiting for startup, when the pid may still be `setsid`/`setpriv`/a shell
# script on its way to exec the server, so its command line proves nothing yet.
pid_alive() { # <pidfile>
    local pid state
    pid=$(cat "$1" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# Start a command detached in its own session (so it survives this script and
# can be stopped as a process group); stdin from /dev/null, output appended
# to <log> (opened here, by root, so the server's user needs no rights on it).
# Writes the session leader's pid to <pidfile>.
launch() { # <pidfile> <log> <command...>
    local pidfile=$1 log=$2
    shift 2
    mkdir -p "$(dirname "$pidfile")" "$(dirname "$log")"
    printf '\n===== %s starting: %s\n' "$(date '+%F %T')" "$*" >>"$log"
    # A background subshell is never a process-group leader here, so `setsid`
    # calls setsid(2) and execs in place: $! is the server's own pid.
    # fds 8 and 9 (the locks) must not be inherited by the server;
    # cwd / because the checkout may not be readable by the server's user; the
    # open-files limit raised to the hard limit (Elasticsearch wants 65535).
    (
        cd /
        ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        exec 8>&- 9>&- setsid "$@" </dev/null >>"$log" 2>&1
    ) &
    echo $! >"$pidfile"
}

# Prefix that runs a long-lived server as <user>: sets the array AS_USER.
# setpriv execs in place; runuser would stay as the parent and, on SIGTERM,
# SIGKILL its child 2 s later ("Session terminated, killing shell...") —
# turning every graceful stop into a crash. (runuser is fine for short commands.)
as_user() { # <user>
    if [[ $1 == "$(id -un)" ]]; then AS_USER=(); return; fi
    AS_USER=(setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups --)
}

# Run a short command as <user> (directly when that is who we are).
run_as() { # <user> <command...>
    local user=$1
    shift
    if [[ $user == "$(id -un)" ]]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

ensure_system_user() { # <user>
    id -u "$1" >/dev/null 2>&1 && return 0
    say "creating system user '$1' (the server refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$1"
}

# Can <user> reach (traverse) <dir>? Decides between the in-repo location and
# the /var/tmp fallback for files owned by the eco/postgres users.
user_can_enter() { # <user> <dir>
    (cd / && run_as "$1" test -x "$2") 2>/dev/null
}

# Directory for state owned by a non-root server user: under ECO_RUN_DIR when
# that user can get there, else under FALLBACK_DIR.
user_state_dir() { # <user> <relative path>
    mkdir -p "$ECO_RUN_DIR/data"
    if user_can_enter "$1" "$ECO_RUN_DIR/data"; then
        printf '%s' "$ECO_RUN_DIR/data/$2"
    else
        mkdir -p "$FALLBACK_DIR"
        chmod 755 "$FALLBACK_DIR"
        printf '%s' "$FALLBACK_DIR/$2"
    fi
}

# Wait until `<check...>` succeeds, printing a dot per second and the seconds
# waited every 10 s. Fails (with the log's tail) on timeout or if <pid> dies.
wait_ready() { # <name> <timeout> <what> <log> <pidfile> <check...>
    local name=$1 timeout=$2 what=$3 log=$4 pidfile=$5
    shift 5
    local start=$SECONDS waited=0
    printf '%s: waiting up to %ss for %s ' "$name" "$timeout" "$what"
    while ! "$@" >/dev/null 2>&1; do
        waited=$((SECONDS - start))
        if ! pid_alive "$pidfile"; then
            printf '\n%s: process exited during startup. Last lines of %s:\n' "$name" "$log" >&2
            tail -n 40 "$log" >&2 || true
            return 1
        fi
        if ((waited >= timeout)); then
            printf '\n%s: not ready after %ss. Last lines of %s:\n' "$name" "$waited" "$log" >&2
            tail -n 40 "$log" >&2 || true
            return 1
        fi
        if ((waited > 0 && waited % 10 == 0)); then printf '%ss' "$waited"; else printf '.'; fi
        sleep 1
    done
    printf ' ready (%ss)\n' "$((SECONDS - start))"
}

# Graceful stop: <signal> to the server (the leader of its process group),
# then SIGKILL to the whole group if it is still up after STOP_TIMEOUT.
stop_group() { # <name> <pidfile> <pattern> <graceful signal> [port]
    local name=$1 pidfile=$2 pattern=$3 sig=$4 port=${5:-} pid start=$SECONDS
    if ! pid=$(live_pid "$pidfile" "$pattern"); then
        rm -f "$pidfile"
        if [[ -n $port ]] && port_open "$port"; then
            say "$name: port $port is served by a process this checkout did not start; leaving it alone"
        else
            say "$name: not running"
        fi
        return 0
    fi
    printf '%s: stopping (pid %s, SIG%s) ' "$name" "$pid" "$sig"
    kill -s "$sig" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS - start >= STOP_TIMEOUT)); then
            printf ' still up after %ss, sending SIGKILL' "$STOP_TIMEOUT"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        printf '.'
        sleep 1
    done
    # Children left in the group (e.g. Elasticsearch's server JVM) get the same treatment.
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS - start < STOP_TIMEOUT)); do sleep 1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pidfile"
    printf ' stopped (%ss)\n' "$((SECONDS - start))"
}

record_started() { # <name>
    [[ -n ${ECO_STARTED_TAG:-} ]] || return 0
    local f=$ECO_RUN_DIR/started-by-$ECO_STARTED_TAG
    grep -qx "$1" "$f" 2>/dev/null || echo "$1" >>"$f"
}

# Serialise up/down of the shared servers (two `make test` at once must not
# both start Kafka).
take_lock() {
    mkdir -p "$ECO_RUN_DIR"
    exec 9>"$ECO_RUN_DIR/.lock"
    flock -w 300 9 || die "could not lock $ECO_RUN_DIR/.lock"
}

# Downloads are serialised too: tests may start several kafka-nodes at once on
# a fresh checkout. Callers re-check their `.complete` marker after locking.
take_fetch_lock() {
    mkdir -p "$ECO_CACHE_DIR"
    exec 8>"$ECO_CACHE_DIR/.fetch.lock"
    flock -w 600 8 || die "could not lock $ECO_CACHE_DIR/.fetch.lock"
}

maven_fetch() { # <label> <workdir> <pom dependencies xml> <copy-dependencies extra args...>
    local label=$1 dir=$2 deps=$3
    shift 3
    mkdir -p "$dir"
    cat >"$dir/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by deploy/local/infra.sh: only used to resolve $label from Maven Central -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.eco.infra</groupId>
  <artifactId>$label-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
$deps
  </dependencies>
</project>
EOF
    if ! mvn -B -ntp -f "$dir/pom.xml" dependency:copy-dependencies "$@" >"$dir/mvn.log" 2>&1; then
        tail -n 30 "$dir/mvn.log" >&2
        die "maven could not fetch $label (full log: $dir/mvn.log)"
    fi
}

# ------------------------------------------------------------------- kafka ---
kafka_fetch() {
    need_java # also when the download is cached: the broker needs it to start
    [[ -f $KAFKA_HOME/.complete ]] && return 0
    need_mvn
    take_fetch_lock
    [[ -f $KAFKA_HOME/.complete ]] && return 0
    local start=$SECONDS
    say "kafka: fetching kafka_2.13:$KAFKA_VERSION and its runtime dependencies via mvn ..."
    rm -rf "$KAFKA_HOME/libs.tmp"
    # kafka-tools is taken without its dependencies (they would drag in Kafka
    # Connect + Jetty): we only need BrokerApiVersionsCommand for the readiness
    # check, and everything it uses comes with kafka_2.13. log4j-slf4j-impl
    # routes Kafka's slf4j 1.7 logging into log4j2 (kafka-server brings log4j-core).
    maven_fetch kafka "$KAFKA_HOME" "
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>" \
        -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs.tmp"
    rm -rf "$KAFKA_HOME/libs"
    mv "$KAFKA_HOME/libs.tmp" "$KAFKA_HOME/libs"
    kafka_write_log4j
    touch "$KAFKA_HOME/.complete"
    say "kafka: fetched $(find "$KAFKA_HOME/libs" -name '*.jar' | wc -l) jars in $((SECONDS - start))s"
}

# Kafka logs go to stdout, which `launch` appends to the log file.
kafka_write_log4j() {
    cat >"$KAFKA_HOME/log4j2.properties" <<'EOF'
# generated by deploy/local/infra.sh
status = warn
# Kafka stops itself on SIGTERM; log4j's own hook would only race with it
shutdownHook = disable
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
# per-request and state-change chatter is noise for a dev broker
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF
    # The client-side log config for the readiness check: quiet.
    cat >"$KAFKA_HOME/log4j2-tools.properties" <<'EOF'
status = error
rootLogger.level = ERROR
EOF
}

kafka_java() { # java with Kafka's classpath
    java -cp "$KAFKA_HOME/libs/*" "$@"
}

kafka_write_config() { # <conf file> <data dir> <port> <controller port>
    local conf=$1 data=$2 port=$3 cport=$4
    mkdir -p "$(dirname "$conf")" "$data"
    cat >"$conf" <<EOF
# generated by deploy/local/infra.sh — single-node KRaft (combined broker + controller)
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$ECO_HOST:$cport
listeners=PLAINTEXT://$ECO_HOST:$port,CONTROLLER://$ECO_HOST:$cport
advertised.listeners=PLAINTEXT://$ECO_HOST:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
# fewer internal partitions than the default 50: the first consumer group
# on a fresh broker is ready much sooner on a 2-core machine
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Events are kept for good: read models (evaluation, the search index, the codes' status) are
# rebuilt by replaying their topics from the start (DESIGN.md, Events).
log.retention.hours=-1
log.retention.bytes=-1
EOF
}

# Format the KRaft storage only once: re-formatting would wipe the topics.
kafka_format_once() { # <conf file> <data dir> <log>
    local conf=$1 data=$2 log=$3 cluster_id
    [[ -f $data/meta.properties ]] && return 0
    cluster_id=$(kafka_java -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" kafka.tools.StorageTool random-uuid)
    kafka_java -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" \
        kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$conf" --ignore-formatted >>"$log" 2>&1 \
        || { tail -n 20 "$log" >&2; die "kafka: formatting $data failed"; }
}

# Ready = the broker answers a real ApiVersions request from a Kafka client.
kafka_ready() { # [port]
    local port=${1:-$KAFKA_PORT}
    port_open "$port" || return 1
    timeout 15 java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$KAFKA_HOME/libs/*" \
        -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" \
        org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$ECO_HOST:$port" >/dev/null 2>&1
}

kafka_start_node() { # <name> <conf> <data> <log> <pidfile> <port> <controller port>
    local name=$1 conf=$2 data=$3 log=$4 pidfile=$5 port=$6 cport=$7
    kafka_write_config "$conf" "$data" "$port" "$cport"
    kafka_format_once "$conf" "$data" "$log"
    # shellcheck disable=SC2086  # heap opts are deliberately word-split
    launch "$pidfile" "$log" java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
        -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$conf"
}

kafka_pattern() { printf 'kafka.Kafka %s' "$1"; } # <conf>: tells our broker apart from private nodes

# Shared broker: state in ECO_RUN_DIR.
KAFKA_CONF=$ECO_RUN_DIR/conf/kafka/server.properties
KAFKA_DATA=$ECO_RUN_DIR/data/kafka
KAFKA_LOG=$ECO_LOG_DIR/kafka.log
KAFKA_PID=$ECO_PID_DIR/kafka.pid

kafka_running() { live_pid "$KAFKA_PID" "$(kafka_pattern "$KAFKA_CONF")" >/dev/null; }

kafka_start() {
    kafka_fetch
    kafka_start_node kafka "$KAFKA_CONF" "$KAFKA_DATA" "$KAFKA_LOG" "$KAFKA_PID" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
}

kafka_wait() {
    wait_ready kafka "$KAFKA_START_TIMEOUT" "the broker API on $ECO_HOST:$KAFKA_PORT" \
        "$KAFKA_LOG" "$KAFKA_PID" kafka_ready "$KAFKA_PORT"
}

kafka_stop() { stop_group kafka "$KAFKA_PID" "$(kafka_pattern "$KAFKA_CONF")" TERM "$KAFKA_PORT"; }

# Private, disposable broker for tests (e.g. "Kafka is down, events wait in the outbox").
cmd_kafka_node() { # <dir> <port> <controller port>
    [[ $# -eq 3 ]] || die "usage: infra.sh kafka-node <dir> <broker_port> <controller_port>"
    local dir port=$2 cport=$3
    mkdir -p "$1"
    dir=$(cd "$1" && pwd)
    kafka_fetch
    local conf=$dir/server.properties pattern
    pattern=$(kafka_pattern "$conf")
    if live_pid "$dir/pid" "$pattern" >/dev/null; then
        say "kafka-node: already running in $dir on $ECO_HOST:$port"
        return 0
    fi
    port_open "$port" && die "kafka-node: port $port is already in use"
    port_open "$cport" && die "kafka-node: controller port $cport is already in use"
    kafka_start_node kafka-node "$conf" "$dir/data" "$dir/kafka.log" "$dir/pid" "$port" "$cport"
    wait_ready kafka-node "$KAFKA_START_TIMEOUT" "the broker API on $ECO_HOST:$port" \
        "$dir/kafka.log" "$dir/pid" kafka_ready "$port"
}

cmd_kafka_node_stop() { # <dir>
    [[ $# -eq 1 ]] || die "usage: infra.sh kafka-node-stop <dir>"
    [[ -d $1 ]] || { say "kafka-node: $1 does not exist, nothing to stop"; return 0; }
    local dir
    dir=$(cd "$1" && pwd)
    stop_group kafka-node "$dir/pid" "$(kafka_pattern "$dir/server.properties")" TERM
}

# ----------------------------------------------------------- elasticsearch ---
es_fetch() {
    need_java # also when the download is cached: the server needs it to start
    [[ -f $ES_HOME_CACHED/.complete ]] && return 0
    need_mvn
    take_fetch_lock
    [[ -f $ES_HOME_CACHED/.complete ]] && return 0
    local start=$SECONDS
    say "es: fetching elasticsearch $ES_VERSION (integ-test-zip) via mvn ..."
    maven_fetch elasticsearch "$ES_DIST_DIR" "
    <dependency><groupId>org.elasticsearch.distribution.integ-test-zip</groupId><artifactId>elasticsearch</artifactId>
      <version>$ES_VERSION</version><type>zip</type></dependency>" \
        -DoutputDirectory="$ES_DIST_DIR/dist" -DexcludeTransitive=true
    rm -rf "$ES_HOME_CACHED" "$ES_DIST_DIR/unzip.tmp"
    # Python's zipfile (always present), restoring the unix modes (bin/ scripts
    # must stay executable) — avoids needing the `unzip` package.
    python3 - "$ES_DIST_DIR/dist/elasticsearch-$ES_VERSION.zip" "$ES_DIST_DIR/unzip.tmp" <<'EOF'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = info.external_attr >> 16 & 0o7777
        if mode:
            os.chmod(path, mode)
EOF
    mv "$ES_DIST_DIR/unzip.tmp/elasticsearch-$ES_VERSION" "$ES_HOME_CACHED"
    rm -rf "$ES_DIST_DIR/unzip.tmp"
    touch "$ES_HOME_CACHED/.complete"
    say "es: fetched in $((SECONDS - start))s"
}

ES_LOG=$ECO_LOG_DIR/es.log
ES_PID=$ECO_PID_DIR/es.pid
ES_PATTERN=org.elasticsearch

# Java for Elasticsearch: 8.19 runs on 17; ES_JAVA_HOME may point elsewhere.
es_java_home() {
    if [[ -n ${ES_JAVA_HOME:-} ]]; then
        printf '%s' "$ES_JAVA_HOME"
    elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then
        printf '%s' /usr/lib/jvm/java-17-openjdk-amd64
    else
        dirname "$(dirname "$(readlink -f "$(command -v java)")")"
    fi
}

# The distribution is read by the `eco` user; if it cannot reach the cache,
# run from a copy in the fallback folder.
es_home() {
    if user_can_enter "$ES_USER" "$ES_HOME_CACHED/bin"; then
        printf '%s' "$ES_HOME_CACHED"
    else
        local copy=$FALLBACK_DIR/elasticsearch-$ES_VERSION
        if [[ ! -f $copy/.complete ]]; then
            mkdir -p "$FALLBACK_DIR" && chmod 755 "$FALLBACK_DIR"
            rm -rf "$copy" && cp -a "$ES_HOME_CACHED" "$copy"
        fi
        printf '%s' "$copy"
    fi
}

# Config lives outside the (pristine, cached) distribution: ES writes its
# keystore into the config dir, so that dir must belong to `eco`.
es_prepare() { # prints: <es_home> <state dir>
    local home state conf
    home=$(es_home)
    state=$(user_state_dir "$ES_USER" es)
    conf=$state/config
    # tmp: Elasticsearch's temp dir (else a new /tmp/elasticsearch-* every start)
    rm -rf "$state/tmp"
    mkdir -p "$state/data" "$state/logs" "$state/tmp" "$conf/jvm.options.d"
    cp "$home/config/jvm.options" "$home/config/log4j2.properties" "$conf/"
    cat >"$conf/elasticsearch.yml" <<EOF
# generated by deploy/local/infra.sh
cluster.name: eco-local
node.name: eco-es
discovery.type: single-node
network.host: $ECO_HOST
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $state/data
path.logs: $state/logs
# local/CI only: no TLS, no users
xpack.security.enabled: false
# the shared disk may be fairly full; never turn indices read-only because of it
cluster.routing.allocation.disk.threshold_enabled: false
# tests delete indices by wildcard
action.destructive_requires_name: false
EOF
    # No gc.log files piling up; JVM warnings still reach the console log.
    printf '%s\n' '-Xlog:disable' '-Xlog:all=warning:stderr:utctime,level,tags' >"$conf/jvm.options.d/eco.options"
    chown -R "$ES_USER:" "$state"
    printf '%s %s\n' "$home" "$state"
}

es_ready() {
    curl -sf "http://$ECO_HOST:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s"
}

es_running() { live_pid "$ES_PID" "$ES_PATTERN" >/dev/null; }

es_start() {
    es_fetch
    need_java
    need_cmd curl "apt-get install -y curl"
    ensure_system_user "$ES_USER"
    local home state prepared
    prepared=$(es_prepare) # (not `read < <(…)`: that would hide a failure)
    read -r home state <<<"$prepared"
    as_user "$ES_USER"
    launch "$ES_PID" "$ES_LOG" env HOME="$state" ES_TMPDIR="$state/tmp" ES_JAVA_HOME="$(es_java_home)" ES_PATH_CONF="$state/config" \
        ES_JAVA_OPTS="$ES_HEAP_OPTS" "${AS_USER[@]}" "$home/bin/elasticsearch"
}

es_wait() {
    wait_ready es "$ES_START_TIMEOUT" "cluster health yellow on http://$ECO_HOST:$ES_PORT" \
        "$ES_LOG" "$ES_PID" es_ready
}

es_stop() { stop_group es "$ES_PID" "$ES_PATTERN" TERM "$ES_PORT"; }

# -------------------------------------------------------------- postgresql ---
PG_LOG=$ECO_LOG_DIR/pg.log
PG_PID=$ECO_PID_DIR/pg.pid
PG_PATTERN=bin/postgres

pg_check_installed() {
    [[ -x $PG_BIN/initdb ]] || die "PostgreSQL $PG_MAJOR not found in $PG_BIN. Install it: apt-get install -y postgresql"
}

pg_data_dir() { user_state_dir "$PG_USER" pg; }

pg_initdb_once() { # <data dir>
    local data=$1
    [[ -f $data/PG_VERSION ]] && return 0
    say "pg: initdb $data (owner $PG_USER, trust auth on localhost)"
    mkdir -p "$data"
    chown "$PG_USER:" "$data"
    chmod 700 "$data"
    (cd / && run_as "$PG_USER" "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale) >>"$PG_LOG" 2>&1 \
        || { tail -n 20 "$PG_LOG" >&2; die "pg: initdb failed"; }
}

pg_ready() { "$PG_BIN/pg_isready" -q -h "$ECO_HOST" -p "$PG_PORT"; }

pg_running() { live_pid "$PG_PID" "$PG_PATTERN" >/dev/null; }

pg_start() {
    pg_check_installed
    local data
    data=$(pg_data_dir)
    mkdir -p "$ECO_LOG_DIR"
    pg_initdb_once "$data"
    # Settings on the command line so they always match this script. TCP only
    # (no unix socket dir to own). fsync off by default: a dev/test cluster, only
    # an OS crash could lose data; a server stop/restart loses nothing.
    # PG_DURABLE=1 keeps PostgreSQL's durable defaults (`make bench` asks for it,
    # so its figures include the flush of every commit).
    local durability=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
    [[ ${PG_DURABLE:-0} == 1 ]] && durability=()
    as_user "$PG_USER"
    launch "$PG_PID" "$PG_LOG" "${AS_USER[@]}" "$PG_BIN/postgres" -D "$data" -c port="$PG_PORT" -c listen_addresses="$ECO_HOST" \
        -c unix_socket_directories= -c max_connections=300 "${durability[@]}" -c logging_collector=off
}

pg_psql() { "$PG_BIN/psql" -X -q -h "$ECO_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tA "$@"; }

# Role `eco` (superuser so tests can create databases) and the service databases.
pg_bootstrap() {
    [[ $(pg_psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'eco'") == 1 ]] \
        || pg_psql -c "CREATE ROLE eco LOGIN SUPERUSER"
    local db
    for db in "${PG_DATABASES[@]}"; do
        [[ $(pg_psql -c "SELECT 1 FROM pg_database WHERE datname = '$db'") == 1 ]] \
            || pg_psql -c "CREATE DATABASE $db OWNER eco"
    done
}

pg_wait() {
    wait_ready pg "$PG_START_TIMEOUT" "pg_isready on $ECO_HOST:$PG_PORT" \
        "$PG_LOG" "$PG_PID" pg_ready
    pg_bootstrap
}

# SIGINT = PostgreSQL's "fast" shutdown: disconnects clients, checkpoints, exits.
# (SIGTERM would wait for every client to disconnect by itself.)
pg_stop() { stop_group pg "$PG_PID" "$PG_PATTERN" INT "$PG_PORT"; }

# ---------------------------------------------------------------- commands ---
address_of() { # <server>
    case $1 in
        kafka) printf '%s:%s' "$ECO_HOST" "$KAFKA_PORT" ;;
        es) printf 'http://%s:%s' "$ECO_HOST" "$ES_PORT" ;;
        pg) printf '%s:%s' "$ECO_HOST" "$PG_PORT" ;;
    esac
}

port_of() { case $1 in kafka) echo "$KAFKA_PORT" ;; es) echo "$ES_PORT" ;; pg) echo "$PG_PORT" ;; esac; }

check_names() {
    local n
    for n in "$@"; do
        case $n in kafka | es | pg) ;; *) die "unknown server '$n' (expected: kafka, es, pg)" ;; esac
    done
}

cmd_fetch() {
    kafka_fetch
    es_fetch
    pg_check_installed
    say "fetch: done (cache: $ECO_CACHE_DIR)"
}

cmd_up() {
    local names=("$@") n started=()
    ((${#names[@]})) || names=("${ALL_SERVERS[@]}")
    check_names "${names[@]}"
    take_lock
    mkdir -p "$ECO_LOG_DIR" "$ECO_PID_DIR"
    # Start every missing server first, then wait for each: they boot in parallel.
    for n in "${names[@]}"; do
        if "${n}_running"; then
            say "$n: already running on $(address_of "$n")"
        elif port_open "$(port_of "$n")"; then
            # Something else (another checkout?) serves this port: use it if healthy.
            [[ $n == kafka ]] && kafka_fetch # the health check needs Kafka's client jars
            if "${n}_ready" >/dev/null 2>&1; then
                say "$n: already running on $(address_of "$n") (not started by this checkout)"
            else
                die "$n: port $(port_of "$n") is in use by something that is not a healthy $n"
            fi
        else
            say "$n: starting on $(address_of "$n") (log: $(log_of "$n"))"
            "${n}_start"
            # Recorded before the wait so that a failed start is still cleaned
            # up by `down-started`.
            record_started "$n"
            started+=("$n")
        fi
    done
    for n in "${started[@]}"; do
        "${n}_wait"
    done
}

log_of() { case $1 in kafka) echo "$KAFKA_LOG" ;; es) echo "$ES_LOG" ;; pg) echo "$PG_LOG" ;; esac; }

cmd_down() {
    local names=("$@") n
    ((${#names[@]})) || names=("${ALL_SERVERS[@]}")
    check_names "${names[@]}"
    take_lock
    for n in "${names[@]}"; do "${n}_stop"; done
}

cmd_down_started() { # <tag>
    [[ $# -eq 1 ]] || die "usage: infra.sh down-started <tag>"
    local f=$ECO_RUN_DIR/started-by-$1 names=()
    if [[ ! -f $f ]]; then
        say "down-started: nothing recorded for tag '$1'"
        return 0
    fi
    mapfile -t names < <(grep -E '^(kafka|es|pg)$' "$f" || true)
    ((${#names[@]})) && cmd_down "${names[@]}"
    rm -f "$f"
}

cmd_status() {
    local n pid pidfile pattern
    for n in "${ALL_SERVERS[@]}"; do
        case $n in
            kafka) pidfile=$KAFKA_PID pattern=$(kafka_pattern "$KAFKA_CONF") ;;
            es) pidfile=$ES_PID pattern=$ES_PATTERN ;;
            pg) pidfile=$PG_PID pattern=$PG_PATTERN ;;
        esac
        if pid=$(live_pid "$pidfile" "$pattern"); then
            printf '%-5s running  %s (pid %s)\n' "$n" "$(address_of "$n")" "$pid"
        elif port_open "$(port_of "$n")"; then
            printf '%-5s running  %s (not started by this checkout)\n' "$n" "$(address_of "$n")"
        else
            printf '%-5s stopped  %s\n' "$n" "$(address_of "$n")"
        fi
    done
}

cmd_env() {
    printf 'export KAFKA_BOOTSTRAP_SERVERS=%s:%s\n' "$ECO_HOST" "$KAFKA_PORT"
    printf 'export ELASTICSEARCH_URL=http://%s:%s\n' "$ECO_HOST" "$ES_PORT"
    printf 'export ECO_PG_URL=postgresql+psycopg://eco@%s:%s\n' "$ECO_HOST" "$PG_PORT"
}

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd=${1:-help}
    (($#)) && shift
    case $cmd in
        fetch) cmd_fetch "$@" ;;
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        down-started) cmd_down_started "$@" ;;
        status) cmd_status "$@" ;;
        env) cmd_env "$@" ;;
        kafka-node) cmd_kafka_node "$@" ;;
        kafka-node-stop) cmd_kafka_node_stop "$@" ;;
        help | -h | --help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
