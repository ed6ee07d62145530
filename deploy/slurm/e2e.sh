#!/usr/bin/env bash
# deploy/slurm/e2e.sh: prove the Slurm templates on a real, single-node
# Slurm cluster, for every command that shards.
#
#   deploy/slurm/e2e.sh [--install]   # as root or with passwordless sudo
#
# .ci/run calls it with --install: it installs Debian's slurm-wlm and munge
# when missing (so does CI=true); without, a machine lacking them (or root)
# skips with a message saying how to install them. It brings up a
# throw-away cluster (generated slurm.conf for this host's name and cores,
# its own munged, slurmctld and slurmd, all state in a temporary
# directory), builds checkoutsim, and for each command in COMMANDS below:
#
#   1. runs the command unsharded in one process (the reference bytes);
#   2. submits deploy/slurm/shard.sbatch as a job array of SHARDS tasks with
#      `sbatch --wait`, and deploy/slurm/merge.sbatch with
#      --dependency=afterok on it; the merged file must equal the
#      reference byte for byte (cmp);
#   3. submits the array again and kills one task with `scancel JOB_1`
#      after its first point (SIGTERM: it saves the points it finished);
#      an afterok merge must stay pending (DependencyNeverSatisfied), and
#      a merge submitted with afterany must fail naming shard 1 and the
#      `sbatch --array=1 ...` line that reruns only it; that line is run
#      as printed (with --wait added), merge is run again, and the bytes
#      must again equal the reference.
#
# and for each command in STAGED (tune: it shards stage by stage), the
# stage loop: one job array and one afterok merge per stage, the merged
# state passed to the next stage's array with --state, until the merge
# writes the answer ("complete": true), which must equal the unsharded
# run's bytes; then the final stage again with task 1 killed, its rerun
# line (which must carry --state) run as printed, and the same bytes.
#
# It prints the set-up time, each job's wall time and each comparison, tears
# the cluster down whatever happens (trap), and exits non-zero on any
# mismatch or failure.
set -euo pipefail
set -f # no globbing: grid values such as services[0].cpu stay as written

repo=$(cd "$(dirname "$0")/../.." && pwd)
SHARDS=3

# Commands that shard, one line each: the command and its arguments,
# without --shard, --shards, --resume or --out (the template adds them).
# Words are split at blanks (no quoting), so keep values blank-free. Jobs
# run in a results folder of their own: give scenario files as ${repo}/...
# Keep the work small: the whole script should take a few minutes on 2
# cores; but step 3 kills task 1 after its first point, and the signal
# lands a point or so later, so give each shard about 6 points (of 18
# here) of a fraction of a second each. `capacity` does not shard (it is a
# sequential search).
# The unsharded reference is the same line with `-o json --out FILE`,
# whose bytes the merge must reproduce. cmd/checkoutsim/deploy_test.go
# fails while a command with --shards is missing from this list or STAGED.
COMMANDS=(
    "sweep one-station --duration 5m --set warmup=5s --set drain=5s --replications 2 --param traffic.multiplier=0.5,0.6,0.75,0.9,1,1.25 --param services[0].workers_per_instance=7,8,10"
    "sensitivity ${repo}/experiments/uncertainty/testdata/tiny.yaml --trajectories 4 --set duration=20m -o json"
    "robust ${repo}/experiments/uncertainty/testdata/tiny.yaml ${repo}/experiments/uncertainty/testdata/tiny.yaml --samples 12 --set duration=20m -o json"
)

# Commands that shard stage by stage, each stage's shards needing the
# merge of the stage before (--state): `tune`'s successive halving. Same
# rules as COMMANDS. Here 8 candidates x 2 conditions: rung 1 (16 runs of
# 17 simulated s), rung 2 (8 runs of 25 s), final (30 runs of 40 s, 10 per
# shard: the kill proof runs there). Unsharded: 12 to 24 s measured on the
# shared 2-core machine.
STAGED=(
    "tune payment-slowdown-after --set duration=40s --set warmup=10s --set drain=10s --set traffic.multiplier=0.5 --knob payments.client.timeout=log:200ms..2s --knob payments.client.retry.max_attempts=1..3 --minimize p99 --constraint error_rate<=5% --condition spike:traffic.multiplier=0.8 --candidates 8 --seed 3"
)
# A search has its schedule's rungs plus the final stage; more merges than
# this without an answer is a failure.
MAX_STAGES=6

log() { printf '== e2e: %s\n' "$*"; }
fail() {
    printf 'e2e: FAIL: %s\n' "$*" >&2
    exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# --install (what .ci/run passes) or CI=true: install missing packages and
# fail if the cluster cannot be brought up. Otherwise a machine without
# Slurm, or without root or sudo, skips with a message.
install=""
case "${1:-}" in
--install) install=yes ;;
"") ;;
*)
    echo "usage: $0 [--install]" >&2
    exit 2
    ;;
esac
[ "${CI:-}" = "true" ] && install=yes
skip() {
    if [ -n "$install" ]; then fail "$*"; fi
    printf 'e2e: SKIP: %s\n' "$*"
    exit 0
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || skip "starting slurmctld and slurmd needs root or passwordless sudo"
    SUDO="sudo"
fi

# ---------------------------------------------------------------------------
# Debian's slurm-wlm and munge, installed when missing (apt-get update only
# then), with --install or under CI.
missing=""
for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ -n "$install" ] || skip "Slurm is not installed; install it with: sudo apt-get install slurm-wlm munge (or run $0 --install)"
    log "install$missing"
    t=$(now)
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    log "installed$missing: $(since "$t")"
fi
for b in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged sbatch squeue scancel sinfo; do
    command -v "$b" >/dev/null || skip "$b is missing; install it with: sudo apt-get install slurm-wlm munge"
done

# ---------------------------------------------------------------------------
# The cluster: one node, this host. Everything lives in $tmp.
setup_start=$(now)
tmp=$(mktemp -d /tmp/checkoutsim-slurm-e2e.XXXXXX)
chmod 0755 "$tmp" # munged (user munge) must reach its socket directory

waiters=() # background sbatch --wait processes (submit)
teardown() {
    local rc=$?
    set +e
    log "teardown"
    # Jobs first (a failure can leave tasks running): cancel every job of
    # this private cluster and give their processes KillWait to end.
    if [ -s "$tmp/slurmctld.pid" ] && squeue -h >/dev/null 2>&1; then
        scancel --partition=e2e 2>/dev/null
        for _ in $(seq 150); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    # Background `sbatch --wait`s (a failure or Ctrl-C leaves them waiting).
    for pid in "${waiters[@]}"; do
        kill "$pid" 2>/dev/null
    done
    # Daemons are stopped by their pid files, slurmd first.
    for pidfile in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munge/munged.pid"; do
        [ -s "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        $SUDO kill "$pid" 2>/dev/null
        for _ in $(seq 50); do
            $SUDO kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if $SUDO kill -0 "$pid" 2>/dev/null; then $SUDO kill -9 "$pid"; fi
    done
    if [ "$rc" -ne 0 ]; then
        for f in "$tmp/slurmctld.log" "$tmp/slurmd.log" "$tmp/munge/munged.log"; do
            [ -s "$f" ] && {
                echo "--- last lines of $f"
                $SUDO tail -n 20 "$f"
            }
        done
    fi
    $SUDO rm -rf "$tmp"
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
# shard.sbatch asks for 2 CPUs and 2 GB per task: a smaller machine is
# declared that big (config_overrides: slurmd accepts a node smaller than
# configured), so the templates run unchanged; the work is tiny.
overrides=""
if [ "$cpus" -lt 2 ] || [ "$mem_mb" -lt 2048 ]; then
    overrides="SlurmdParameters=config_overrides"
    [ "$cpus" -ge 2 ] || cpus=2
    [ "$mem_mb" -ge 2048 ] || mem_mb=2048
fi
# Ports off the defaults, so a Slurm already on this machine is untouched.
ctld_port=${E2E_SLURMCTLD_PORT:-16817}
slurmd_port=${E2E_SLURMD_PORT:-16818}

# munged as the munge user, on a private socket, with the key the package
# created (a fresh one if there is none).
$SUDO install -d -o munge -g munge -m 0755 "$tmp/munge"
key=/etc/munge/munge.key
if ! $SUDO test -s "$key"; then
    key="$tmp/munge/munge.key"
    $SUDO dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    $SUDO chown munge:munge "$key"
    $SUDO chmod 0400 "$key"
fi
as_munge() {
    if [ -n "$SUDO" ]; then sudo -u munge "$@"; else runuser -u munge -- "$@"; fi
}
as_munge /usr/sbin/munged --socket="$tmp/munge/munge.socket" --key-file="$key" \
    --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
    --seed-file="$tmp/munge/munged.seed"

$SUDO install -d -m 0755 "$tmp/state" "$tmp/spool"
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# Generated by deploy/slurm/e2e.sh: a one-node cluster on ${host}.
ClusterName=checkoutsim-e2e
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${ctld_port}
SlurmdPort=${slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${tmp}/munge/munge.socket
StateSaveLocation=${tmp}/state
SlurmdSpoolDir=${tmp}/spool
SlurmctldPidFile=${tmp}/slurmctld.pid
SlurmdPidFile=${tmp}/slurmd.pid
SlurmctldLogFile=${tmp}/slurmctld.log
SlurmdLogFile=${tmp}/slurmd.log
# No cgroup delegation needed: processes tracked through their parents,
# no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# No accounting.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=10
${overrides}
# sbatch --wait polls after 2 s, then 4 times longer while that is under
# MinJobAge/2, up to 32 s: with 17 it polls every 8 s (the default 300
# made each wait up to 30 s longer). Finished jobs are forgotten after
# 17 s; every dependency here is submitted while its job is known.
MinJobAge=17
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=e2e Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF

$SUDO env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmctld -f "$SLURM_CONF"
$SUDO env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmd -f "$SLURM_CONF"

# Ready when the node is idle.
deadline=$((SECONDS + 60))
until [ "$(sinfo -h -n "$host" -o %T 2>/dev/null)" = "idle" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "node ${host} not idle after 60 s: $(sinfo 2>&1)"
    sleep 0.5
done
log "cluster up: node ${host}, ${cpus} CPUs, ${mem_mb} MB; set-up time $(since "$setup_start")"

# ---------------------------------------------------------------------------
t=$(now)
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$tmp/bin"
(cd "$repo" && go build -o "$tmp/bin/checkoutsim" ./cmd/checkoutsim)
log "built checkoutsim: $(since "$t")"
# sbatch exports the environment (--export=ALL), so tasks find it too.
export PATH="$tmp/bin:$PATH"
unset JOB_COMPLETION_INDEX

# newrun DIR: a submit directory like the repository root: deploy/ and an
# empty results/.
newrun() {
    mkdir -p "$1/results"
    ln -s "$repo/deploy" "$1/deploy"
}

# submit LOG ARGS...: sbatch --parsable --wait ARGS in the background; sets
# JOBID once submitted. finish LOG waits for it and leaves its exit status
# (the job's) in LOG.rc.
submit() {
    local log=$1 deadline=$((SECONDS + 30))
    shift
    sbatch --parsable --wait "$@" >"$log.id" 2>"$log.err" &
    echo $! >"$log.pid"
    waiters+=($!)
    until [ -s "$log.id" ]; do
        kill -0 "$(cat "$log.pid")" 2>/dev/null || fail "sbatch $*: $(cat "$log.err")"
        [ "$SECONDS" -lt "$deadline" ] || fail "sbatch $*: no job id after 30 s: $(cat "$log.err")"
        sleep 0.1
    done
    JOBID=$(head -n 1 "$log.id" | cut -d';' -f1)
}
finish() {
    local rc=0
    wait "$(cat "$1.pid")" || rc=$?
    echo "$rc" >"$1.rc"
}

# succeeded RUN LOG...: finish each job, which must have exited 0; says
# when its `sbatch --wait` returned (counted from t; it polls Slurm, every
# 8 s at most here, so this bounds the job's end from above).
succeeded() {
    local run=$1 log
    shift
    for log in "$@"; do
        finish "$log"
        if [ "$(cat "$log.rc")" != 0 ]; then
            show_logs "$run"
            fail "job $(cut -d';' -f1 "$log.id") ($(basename "$log")) exited $(cat "$log.rc")"
        fi
        log "$name: job $(cut -d';' -f1 "$log.id") ($(basename "$log")) done, sbatch --wait returned after $(since "$t")"
    done
}

# tasks JOB: how many array tasks of JOB wrote a log in results/.
tasks() {
    set +f
    ls results/shard-"$1"_*.log | wc -l
    set -f
}

# start_array NAME DEPENDENCY: in a fresh submit directory $work/NAME (the
# current directory from then on), submits the array of shard.sbatch for
# $args and merge.sbatch with --dependency=DEPENDENCY:array; sets run,
# array, merge and t (the start time).
start_array() {
    run="$work/$1"
    newrun "$run"
    cd "$run"
    t=$(now)
    submit "$work/$1-array" --array=0-$((SHARDS - 1)) deploy/slurm/shard.sbatch "${args[@]}" --shards "$SHARDS"
    array=$JOBID
    submit "$work/$1-merge" --dependency="$2:$array" deploy/slurm/merge.sbatch
    merge=$JOBID
}

# compare WHAT: results/merged.json must be the reference's bytes.
compare() {
    if cmp results/merged.json "$work/reference.json"; then
        log "$name: $1: cmp merged.json reference.json: identical ($(wc -c <"$work/reference.json") bytes)"
    else
        log "$name: $1: cmp merged.json reference.json: DIFFERENT"
        total_mismatch=1
    fi
}

# show_logs DIR: the jobs' output, for a failure.
show_logs() {
    set +f
    for f in "$1"/results/*.log; do
        [ -s "$f" ] && {
            echo "--- $f"
            cat "$f"
        }
    done
    set -f
}

# kill_rerun: for $args in $work/kill, the job array with task 1 killed
# after its first point (scancel: SIGTERM, it saves the points it
# finished) and merges submitted after it: an afterok one must stay
# pending, an afterany one must refuse, naming shard 1 and the
# `sbatch --array=1 ...` line that reruns only it; that line is run as
# printed (with --parsable --wait), then the merge again. Sets rerun (the
# line); leaves the merge in results/merged.json of $run, the current
# directory.
kill_rerun() {
    start_array kill afterany
    # The usual afterok merge, to show it never starts.
    merge_ok=$(sbatch --parsable --dependency=afterok:"$array" deploy/slurm/merge.sbatch | cut -d';' -f1)
    # Killed after its first point, so its part file holds that point and
    # lists the rest as pending (the window is the task's other points).
    deadline=$((SECONDS + 120))
    until [ -e results/part-1.json ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$name: task ${array}_1 wrote no part file in 120 s"
        sleep 0.05
    done
    scancel "${array}_1"
    log "$name: scancel ${array}_1 after its first point"
    finish "$work/kill-array"
    finish "$work/kill-merge"
    log "$name: job array $array with task 1 cancelled + merge job $merge (afterany): wall time $(since "$t")"
    deadline=$((SECONDS + 30))
    until [ "$(squeue -h -j "$merge_ok" -o %r)" = "DependencyNeverSatisfied" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$name: the afterok merge job $merge_ok is $(squeue -h -j "$merge_ok" -o '%T %r'), want pending on DependencyNeverSatisfied"
        sleep 0.5
    done
    scancel "$merge_ok"
    log "$name: the afterok merge job $merge_ok stays pending (DependencyNeverSatisfied); cancelled"
    # Slurm marks a task it cancelled in the task's log; a task that had
    # already finished has no such line (the part formats differ between
    # commands, so the check is Slurm's, not the part file's).
    grep -q 'CANCELLED' "results/shard-${array}_1.log" || fail "$name: task 1 finished before scancel reached it; give the command more work per point"
    log "$name: task ${array}_1 was cancelled mid-run; results/part-1.json holds what it finished"
    # merge must refuse, naming shard 1 and the line that reruns only it.
    mergelog="results/merge-$merge.log"
    [ "$(cat "$work/kill-merge.rc")" != 0 ] || fail "$name: merge of an incomplete set succeeded"
    [ ! -e results/merged.json ] || fail "$name: a refused merge wrote results/merged.json"
    grep -q "shards 1/$SHARDS: missing or interrupted" "$mergelog" || {
        cat "$mergelog"
        fail "$name: merge does not name shard 1/$SHARDS"
    }
    rerun=$(sed -n 's/^  \(sbatch --array=1 deploy\/slurm\/shard.sbatch .*\)$/\1/p' "$mergelog")
    [ -n "$rerun" ] || {
        cat "$mergelog"
        fail "$name: merge gives no 'sbatch --array=1 ...' line"
    }
    log "$name: merge job $merge refused (exit $(cat "$work/kill-merge.rc")); it says: $rerun"

    # The line as printed (with --parsable --wait), then the merge after it.
    sha0=$(sha256sum results/part-0.json results/part-2.json)
    t=$(now)
    eval "submit \"\$work/rerun\" ${rerun#sbatch }"
    rerun_job=$JOBID
    submit "$work/merge3" --dependency=afterok:"$rerun_job" deploy/slurm/merge.sbatch
    merge=$JOBID
    succeeded "$run" "$work/rerun" "$work/merge3"
    [ "$(sha256sum results/part-0.json results/part-2.json)" = "$sha0" ] || fail "$name: the rerun touched other shards' parts"
    n=$(tasks "$rerun_job")
    [ "$n" = 1 ] || fail "$name: the rerun ran $n tasks, want 1"
    log "$name: rerun of task 1 only (job $rerun_job) + merge job $merge (afterok): wall time $(since "$t")"
}

# reference COMMAND ARGS...: the unsharded run, in one process, writes
# $work/reference.json (work is $tmp/COMMAND; name is COMMAND).
reference() {
    name=$1
    work="$tmp/$name"
    mkdir -p "$work"
    t=$(now)
    checkoutsim "$@" -o json --out "$work/reference.json"
    log "$name: unsharded run in one process: $(since "$t")"
}

total_mismatch=0

for line in "${COMMANDS[@]}"; do
    read -ra args <<<"$line"
    # 1. The reference: unsharded, in one process.
    reference "${args[@]}"

    # 2. The job array, then the merge job depending on it.
    start_array ok afterok
    succeeded "$run" "$work/ok-array" "$work/ok-merge"
    n=$(tasks "$array")
    [ "$n" = "$SHARDS" ] || fail "$name: the array ran $n tasks, want $SHARDS"
    log "$name: job array $array ($n tasks) + merge job $merge (afterok): wall time $(since "$t")"
    compare "sharded on Slurm"

    # 3. One task killed while it runs, merge refuses, the rerun it prints.
    kill_rerun
    compare "after the rerun"
    cd "$repo"
done

for line in "${STAGED[@]}"; do
    read -ra base <<<"$line"
    # 1. The reference: unsharded, in one process.
    reference "${base[@]}"

    # 2. One job array and one afterok merge per stage, each stage's
    #    array given the merge of the stage before (--state), until the
    #    merge is the answer.
    staged_start=$(now)
    state=""
    stage=1
    while :; do
        args=("${base[@]}")
        [ -z "$state" ] || args+=(--state "$state")
        start_array "stage-$stage" afterok
        succeeded "$run" "$work/stage-$stage-array" "$work/stage-$stage-merge"
        n=$(tasks "$array")
        [ "$n" = "$SHARDS" ] || fail "$name: stage $stage: the array ran $n tasks, want $SHARDS"
        log "$name: stage $stage: job array $array ($n tasks${state:+, --state from stage $((stage - 1))}) + merge job $merge (afterok): wall time $(since "$t")"
        grep -q '^  "complete": true,$' results/merged.json && break
        grep -q '^  "complete": false,$' results/merged.json || fail "$name: stage $stage: results/merged.json says neither \"complete\": true nor false"
        [ "$stage" -lt "$MAX_STAGES" ] || fail "$name: no answer after $MAX_STAGES stages"
        state="$run/results/merged.json"
        stage=$((stage + 1))
    done
    log "$name: the answer after $stage stages ($stage job arrays + $stage merge jobs): wall time $(since "$staged_start")"
    compare "after $stage stages sharded on Slurm"

    # 3. The final stage again (from the same state), task 1 killed: the
    #    rerun line must carry --state, and give the same answer.
    kill_rerun
    if [ -n "$state" ]; then
        case " $rerun " in
        *" --state $state "*) log "$name: the rerun line carries --state $state" ;;
        *) fail "$name: the rerun line lacks --state $state: $rerun" ;;
        esac
    fi
    compare "final stage again, after the rerun of task 1"
    cd "$repo"
done

[ "$total_mismatch" = 0 ] || fail "merged results differ from the unsharded runs"
log "all $((${#COMMANDS[@]} + ${#STAGED[@]})) sharding command(s) match their unsharded runs; total $(since "$setup_start") from set-up"
