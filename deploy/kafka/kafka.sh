#!/usr/bin/env bash
# Single-node Apache Kafka 4.x broker (KRaft combined mode) on 127.0.0.1 for
# newsd's integration tests. Jars come from Maven Central via ./pom.xml.
#
#   kafka.sh fetch                 download the broker jars into the cache (idempotent)
#   kafka.sh start                 fetch if needed, format storage once, start, wait until ready;
#                                  prints "bootstrap=127.0.0.1:PORT" (idempotent)
#   kafka.sh stop [--clean]        SIGTERM, up to 30 s, then SIGKILL; --clean removes the state dir
#   kafka.sh status                exit 0 and print bootstrap=... if running, exit 3 if not
#   kafka.sh classpath             print the java class path of the cached jars
#   kafka.sh tool CLASS [ARGS...]  run a Kafka tool class (e.g. org.apache.kafka.tools.TopicCommand)
#                                  on the cached class path with quiet logging
#
# Environment: see README.md beside this script.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
PROG="kafka.sh"

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

[[ -f "$POM" ]] || die "pom.xml not found next to the script ($POM)"

pom_prop() { # first <NAME>value</NAME> in the pom
    sed -n "s:.*<$1>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</$1>.*:\1:p" "$POM" | head -n 1
}

KAFKA_VERSION="${NEWSD_KAFKA_VERSION:-$(pom_prop kafka.version)}"
[[ -n "$KAFKA_VERSION" ]] || die "cannot read <kafka.version> from $POM"
if [[ -z "${NEWSD_KAFKA_CACHE:-}" && -z "${HOME:-}" ]]; then die "neither NEWSD_KAFKA_CACHE nor HOME is set"; fi
CACHE="${NEWSD_KAFKA_CACHE:-${HOME:-}/.cache/newsd-kafka/$KAFKA_VERSION}"
PORT="${NEWSD_KAFKA_PORT:-19092}"
if ! [[ "$PORT" =~ ^[1-9][0-9]*$ ]] || (( PORT >= 65535 )); then die "NEWSD_KAFKA_PORT must be a port number below 65535, got '$PORT'"; fi
CPORT=$((PORT + 1))
HOST=127.0.0.1
BOOTSTRAP="$HOST:$PORT"
STATE="${NEWSD_KAFKA_DIR:-${TMPDIR:-/tmp}/newsd-kafka-$PORT}"
PARTITIONS="${NEWSD_KAFKA_PARTITIONS:-3}"
[[ "$PARTITIONS" =~ ^[1-9][0-9]*$ ]] || die "NEWSD_KAFKA_PARTITIONS must be a positive integer, got '$PARTITIONS'"
HEAP="${NEWSD_KAFKA_HEAP:--Xmx512m}"
START_TIMEOUT="${NEWSD_KAFKA_START_TIMEOUT:-60}"
[[ "$START_TIMEOUT" =~ ^[0-9]+$ ]] || die "NEWSD_KAFKA_START_TIMEOUT must be a number of seconds"
STOP_TIMEOUT=30

PIDFILE="$STATE/kafka.pid"
CONFIG="$STATE/server.properties"
BROKER_LOG="$STATE/broker.log"
DATA="$STATE/data"

# ---------------------------------------------------------------- java / jars

find_java() {
    if [[ -n "${NEWSD_KAFKA_JAVA:-}" ]]; then JAVA="$NEWSD_KAFKA_JAVA"
    elif [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then JAVA="$(command -v java)"
    else die "java not found: install a JDK 17+ (Debian: openjdk-17-jre-headless) or set NEWSD_KAFKA_JAVA"
    fi
    local spec
    spec="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)"
    [[ "$spec" =~ ^[0-9]+$ ]] || die "cannot determine the version of $JAVA"
    (( spec >= 17 )) || die "Kafka $KAFKA_VERSION needs Java 17 or newer; $JAVA is Java $spec (set NEWSD_KAFKA_JAVA or JAVA_HOME)"
}

pom_digest() { sha256sum "$POM" | cut -d' ' -f1; }

jars_present() {
    [[ -f "$CACHE/.complete" ]] && [[ "$(cat "$CACHE/.complete")" == "$KAFKA_VERSION $(pom_digest)" ]] \
        && compgen -G "$CACHE/kafka_2.13-*.jar" >/dev/null
}

cmd_fetch() {
    if jars_present; then return 0; fi
    command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven (Debian: maven) to fetch the Kafka jars"
    mkdir -p "$(dirname "$CACHE")"
    # One fetch at a time per cache dir (concurrent test runners).
    exec 8>"$CACHE.lock"
    flock -w 600 8 || die "timed out waiting for another fetch into $CACHE"
    if jars_present; then exec 8>&-; return 0; fi
    rm -rf "$CACHE".tmp.*   # left by an interrupted fetch
    local tmp t0=$SECONDS
    tmp="$(mktemp -d "$CACHE.tmp.XXXXXX")"
    log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $CACHE"
    if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
            -Dkafka.version="$KAFKA_VERSION" \
            -DincludeScope=runtime \
            -DoutputDirectory="$tmp" </dev/null >"$tmp.mvn.log" 2>&1; then
        cat "$tmp.mvn.log" >&2 || true
        rm -rf "$tmp" "$tmp.mvn.log"
        die "mvn dependency:copy-dependencies failed for Kafka $KAFKA_VERSION (is Maven Central reachable?)"
    fi
    rm -f "$tmp.mvn.log"
    compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || { rm -rf "$tmp"; die "mvn ran but no kafka_2.13 jar was copied"; }
    echo "$KAFKA_VERSION $(pom_digest)" >"$tmp/.complete"
    rm -rf "$CACHE"
    mv "$tmp" "$CACHE"
    log "fetched $(find "$CACHE" -maxdepth 1 -name '*.jar' | wc -l) jars ($(du -sh "$CACHE" | cut -f1)) in $((SECONDS - t0)) s"
    exec 8>&-
}

classpath() { echo "$CACHE/*"; }

run_tool() { # CLASS ARGS...
    local cls="$1"; shift
    "$JAVA" -Xmx256m -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2-tools.properties" \
        -cp "$(classpath)" "$cls" "$@"
}

# ---------------------------------------------------------------- process

# Echo the broker pid if it is alive and really our broker, else nothing.
broker_pid() {
    local pid=""
    if [[ -f "$PIDFILE" ]]; then
        pid="$(tr -dc '0-9' <"$PIDFILE" || true)"
        if [[ -n "$pid" ]] && is_our_broker "$pid"; then echo "$pid"; return 0; fi
    fi
    # Pid file lost or stale: look for a broker started with this state dir's config.
    local f
    for f in $(grep -lxzF -- "$CONFIG" /proc/[0-9]*/cmdline 2>/dev/null || true); do
        pid="${f#/proc/}"; pid="${pid%/cmdline}"
        is_our_broker "$pid" && { echo "$pid"; return 0; }
    done
    return 0
}

is_our_broker() {
    local cmdline
    alive "$1" || return 1
    cmdline="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *" kafka.Kafka $CONFIG"* ]]
}

alive() { # PID: running and not a zombie (a broker that died as our child stays a zombie)
    local st
    kill -0 "$1" 2>/dev/null || return 1
    st="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
    [[ -n "$st" && "$st" != Z && "$st" != X ]]
}

terminate() { # PID TIMEOUT: SIGTERM, wait, then SIGKILL
    local pid="$1" deadline=$((SECONDS + $2))
    kill -TERM "$pid" 2>/dev/null || return 0
    while alive "$pid" && (( SECONDS < deadline )); do sleep 0.2; done
    if alive "$pid"; then
        log "pid $pid still alive after $2 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while alive "$pid"; do sleep 0.1; done
    fi
    return 0
}

port_open() { # PORT
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

client_ready() { # real Kafka protocol round trip (Metadata / ListTopics)
    local left="$1"
    (( left > 0 )) || return 1
    (( left > 20 )) && left=20
    timeout "$left" "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2-tools.properties" \
        -cp "$(classpath)" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$BOOTSTRAP" --command-config "$STATE/client.properties" --list \
        >/dev/null 2>"$STATE/ready-check.err"
}

lock_state() {
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock -w 180 9 || die "timed out waiting for another $PROG on $STATE"
}

write_config() {
    mkdir -p "$DATA"
    cat >"$CONFIG" <<EOF
# Generated by deploy/kafka/kafka.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT

log.dirs=$DATA
num.partitions=$PARTITIONS
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
# Wire items with embedded media can exceed the 1 MB default; newsd's dead-letter
# topic must accept whatever the input topic accepted.
message.max.bytes=16777216
replica.fetch.max.bytes=16777216

# Internal topics on a single node: RF 1, and fewer partitions than the
# defaults (50) so the first consumer group / transaction is quick.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=33554432
num.recovery.threads.per.data.dir=1
EOF
    cat >"$STATE/client.properties" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=15000
EOF
}

formatted() { [[ -f "$DATA/meta.properties" ]]; }

format_storage() {
    formatted && return 0
    local cluster_id
    # Kafka cluster ids are 16 random bytes, URL-safe base64 without padding.
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    log "formatting $DATA (cluster id $cluster_id)"
    if ! run_tool kafka.tools.StorageTool format --config "$CONFIG" --cluster-id="$cluster_id" \
            --standalone >"$STATE/format.log" 2>&1; then
        cat "$STATE/format.log" >&2
        die "kafka.tools.StorageTool format failed (see $STATE/format.log)"
    fi
    echo "$PORT" >"$STATE/formatted-port"
}

show_log_tail() {
    if [[ -f "$BROKER_LOG" ]]; then
        echo "----- last 50 lines of $BROKER_LOG -----" >&2
        tail -n 50 "$BROKER_LOG" >&2
        echo "-----" >&2
    else
        echo "(no broker log at $BROKER_LOG)" >&2
    fi
}

# ---------------------------------------------------------------- commands

cmd_start() {
    find_java
    cmd_fetch
    lock_state

    local pid
    pid="$(broker_pid)"
    if [[ -n "$pid" ]] && port_open "$PORT"; then
        echo "$pid" >"$PIDFILE"
        log "already running (pid $pid, state $STATE)"
        echo "bootstrap=$BOOTSTRAP"
        return 0
    fi

    if [[ -z "$pid" ]]; then
        rm -f "$PIDFILE"
        if port_open "$PORT"; then die "port $PORT on $HOST is in use by another process (set NEWSD_KAFKA_PORT)"; fi
        if port_open "$CPORT"; then die "controller port $CPORT on $HOST is in use by another process (set NEWSD_KAFKA_PORT)"; fi
        if formatted && [[ -f "$STATE/formatted-port" && "$(cat "$STATE/formatted-port")" != "$PORT" ]]; then
            die "$STATE was formatted for port $(cat "$STATE/formatted-port"), not $PORT: run '$PROG stop --clean' or pick another NEWSD_KAFKA_DIR"
        fi

        write_config
        format_storage

        [[ -f "$BROKER_LOG" ]] && mv -f "$BROKER_LOG" "$BROKER_LOG.1"
        local -a jvm_opts
        # shellcheck disable=SC2206 # HEAP / NEWSD_KAFKA_JAVA_OPTS are word-split on purpose
        jvm_opts=($HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
                  -Djava.awt.headless=true -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2-broker.properties"
                  ${NEWSD_KAFKA_JAVA_OPTS:-})
        log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (controller $HOST:$CPORT, state $STATE)"
        # Own session, stdin/stdout/stderr detached and the lock fds closed, so the
        # broker neither holds the caller's pipes nor our locks.
        ( cd "$STATE" && exec setsid nohup "$JAVA" "${jvm_opts[@]}" -cp "$(classpath)" \
              kafka.Kafka "$CONFIG" </dev/null >>"$BROKER_LOG" 2>&1 8>&- 9>&- ) &
        pid=$!
        echo "$pid" >"$PIDFILE"
    else
        log "broker pid $pid is up but $BOOTSTRAP does not answer yet; waiting"
    fi

    local deadline=$((SECONDS + START_TIMEOUT)) t0=$SECONDS
    while :; do
        if ! alive "$pid"; then
            local alt
            alt="$(broker_pid)"
            if [[ -n "$alt" ]]; then pid="$alt"; echo "$pid" >"$PIDFILE"; continue; fi
            rm -f "$PIDFILE"
            show_log_tail
            die "the broker exited during start-up"
        fi
        if (( SECONDS >= deadline )); then
            show_log_tail
            [[ -s "$STATE/ready-check.err" ]] && { echo "last readiness check said:" >&2; tail -n 5 "$STATE/ready-check.err" >&2; }
            terminate "$pid" 10
            rm -f "$PIDFILE"
            die "Kafka did not become ready on $BOOTSTRAP within ${START_TIMEOUT} s (broker pid $pid stopped)"
        fi
        if port_open "$PORT" && client_ready $((deadline - SECONDS)); then
            break
        fi
        sleep 0.5
    done
    log "ready in $((SECONDS - t0)) s (pid $pid, log $BROKER_LOG)"
    echo "bootstrap=$BOOTSTRAP"
}

cmd_stop() {
    local clean=0
    case "${1:-}" in
        "") ;;
        --clean) clean=1 ;;
        *) die "usage: $PROG stop [--clean]" ;;
    esac
    if [[ ! -d "$STATE" ]]; then
        log "not running (no state dir $STATE)"
        return 0
    fi
    lock_state
    local pid
    pid="$(broker_pid)"
    if [[ -n "$pid" ]]; then
        log "stopping broker pid $pid"
        terminate "$pid" "$STOP_TIMEOUT"
        log "stopped"
    else
        log "not running"
    fi
    rm -f "$PIDFILE"
    if (( clean )); then
        exec 9>&-
        rm -rf -- "$STATE"
        log "removed $STATE"
    fi
}

cmd_status() {
    local pid=""
    [[ -d "$STATE" ]] && pid="$(broker_pid)"
    if [[ -n "$pid" ]] && port_open "$PORT"; then
        echo "running pid=$pid state=$STATE"
        echo "bootstrap=$BOOTSTRAP"
        return 0
    elif [[ -n "$pid" ]]; then
        echo "starting pid=$pid state=$STATE (port $PORT not answering yet)"
        return 3
    fi
    echo "stopped state=$STATE"
    return 3
}

usage() {
    sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

case "${1:-}" in
    fetch)     shift; [[ $# -eq 0 ]] || usage; cmd_fetch; echo "cache=$CACHE" ;;
    start)     shift; [[ $# -eq 0 ]] || usage; cmd_start ;;
    stop)      shift; cmd_stop "$@" ;;
    status)    shift; [[ $# -eq 0 ]] || usage; cmd_status ;;
    classpath) shift; cmd_fetch; classpath ;;
    tool)      shift; [[ $# -ge 1 ]] || usage; find_java; cmd_fetch; run_tool "$@" ;;
    -h|--help|help) usage ;;
    *)         usage ;;
esac
