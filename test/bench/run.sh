#!/usr/bin/env bash
# test/bench/run.sh: goro against Go, one command.
#
#   bash test/bench/run.sh [RUNS]        # RUNS per side and workload, default 5
#
# 1. Builds goro and test/bench/goro_bench in release mode, in a build dir of
#    its own (reused when it exists).
# 2. Builds the Go twin (test/bench/go) with `go build`, offline, with its
#    caches under /tmp. Without Go, the Go column says n/a.
# 3. For each workload (W1..W6, MEM, TMEM, TIMER, CTX), runs goro and Go alternately
#    (goro, go, goro, go, ...), RUNS times each, every run capped in wall time.
# 4. Prints the machine, then a markdown table of medians, the ratio goro/Go,
#    the target and whether it is met, then every run's raw value.
#
# Environment:
#   GORO_BENCH_BUILDDIR  build dir (default /tmp/goro-bench-release)
#   GORO_BENCH_TIMEOUT   wall-time cap per run, seconds (default 180); a capped
#                        run counts as "timeout", the worst possible value
#   GORO_BENCH_JOBS      ninja jobs (default 2)
#   GOMAXPROCS           passed to both sides unchanged (default: all CPUs)
#
# Progress and build logs go to stderr; stdout is the report, in markdown, so
# `run.sh 3 > report.md` keeps just the report.
set -euo pipefail

runs=${1:-5}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS]   (RUNS a positive integer, default 5)" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
builddir=${GORO_BENCH_BUILDDIR:-/tmp/goro-bench-release}
cap=${GORO_BENCH_TIMEOUT:-180}
jobs=${GORO_BENCH_JOBS:-2}
workloads=(W1 W2 W3 W4 W5 W6 MEM TMEM TIMER CTX)

log() { echo "run.sh: $*" >&2; }

# --- 1. goro, release build --------------------------------------------------
if [[ -f $builddir/build.ninja ]]; then
  log "reusing $builddir"
  meson configure "$builddir" -Dbuildtype=release -Dbenchmarks=enabled >&2
else
  # Tests and examples are not needed here; leaving them out keeps the
  # benchmark build independent of their dependencies (doctest).
  meson setup "$builddir" "$root" --buildtype=release -Dbenchmarks=enabled \
    -Dtests=disabled -Dexamples=disabled >&2
fi
ninja -C "$builddir" -j "$jobs" test/bench/goro_bench >&2
goro_bin=$builddir/test/bench/goro_bench

# --- 2. Go twin ---------------------------------------------------------------
go_bin=
go_version=n/a
if command -v go >/dev/null 2>&1; then
  go_version=$(go version 2>/dev/null || echo "go (version unknown)")
  if (cd "$here/go" &&
      GOCACHE=/tmp/goro-bench-gocache GOPATH=/tmp/goro-bench-gopath \
      GOPROXY=off GOFLAGS= GOTOOLCHAIN=local \
      go build -o "$builddir/go-bench" .) >&2; then
    go_bin=$builddir/go-bench
  else
    log "go build failed: the Go column will say n/a"
  fi
else
  log "go not found: the Go column will say n/a"
fi

# --- 3. Runs, alternating -----------------------------------------------------
raw=$builddir/bench-raw.txt
errlog=$builddir/bench-stderr.log
: >"$raw"
: >"$errlog"
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)

# run_one SYSTEM BINARY WORKLOAD appends "SYSTEM WORKLOAD VALUE" to $raw, where
# VALUE is the number printed, "timeout" or "error".
run_one() {
  local sys=$1 bin=$2 w=$3 out rc=0 val
  echo "== $sys $w" >>"$errlog"
  out=$(timeout --kill-after=5 "$cap" "$bin" "$w" 2>>"$errlog") || rc=$?
  if ((rc == 124 || rc == 137)); then
    val=timeout
  elif ((rc != 0)); then
    val=error
    echo "(exit status $rc)" >>"$errlog"
  else
    val=$(awk -v s="$sys" -v w="$w" '$1 == s && $2 == w { print $4 }' <<<"$out" | tail -n 1)
    [[ -n $val ]] || val=error
  fi
  echo "$sys $w $val" >>"$raw"
  log "$sys $w $val"
}

for w in "${workloads[@]}"; do
  for ((r = 1; r <= runs; r++)); do
    run_one goro "$goro_bin" "$w"
    if [[ -n $go_bin ]]; then run_one go "$go_bin" "$w"; fi
  done
done

# --- 4. Report ----------------------------------------------------------------
load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
gxx=$(g++ --version 2>/dev/null | head -n 1 || echo n/a)
echo "Machine: nproc $(nproc), CPU \`${cpu:-unknown}\`, kernel $(uname -r), $gxx, ${go_version}."
echo "GOMAXPROCS: ${GOMAXPROCS:-default (all CPUs)} for both. Median of $runs alternating runs each, cap ${cap} s per run. $(date -u '+%Y-%m-%d %H:%M UTC'). Load average (1, 5, 15 min) before: $load_start; after: $load_end."
echo

python3 - "$raw" "$runs" "${go_bin:+yes}" <<'PY'
import statistics
import sys

raw_path, runs, have_go = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "yes"

# workload -> (label, higher_is_better, target kind, target value)
SPEC = {
    "W1": ("W1 buffered cap 128, 1P/1C, 10M (ops/s)", True, ">=", 1.2),
    "W2": ("W2 buffered cap 128, 4P/4C, 10M (ops/s)", True, ">=", 1.0),
    "W3": ("W3 unbuffered ping-pong, 200k (ns/round trip)", False, "<=", 2.0),
    "W4": ("W4 spawn 1M goroutines + WaitGroup (tasks/s)", True, ">=", 3.0),
    "W5": ("W5 SelectUncontended, 1 goroutine/proc (ops/s)", True, ">=", 1.0),
    "W6": ("W6 fan-in 100P x 100k, cap 1024 (ops/s)", True, ">=", 0.5),
    "MEM": ("MEM bytes per queued goroutine (Go: per parked goroutine)", False, None, None),
    "TMEM": ("TMEM bytes per pending timer, 100k NewTimer(1h)", False, None, None),
    "TIMER": ("TIMER NewTimer+Stop beside 100k pending (ops/s)", True, None, None),
    "CTX": ("CTX WithCancel+cancel under one parent (ops/s)", True, None, None),
}
ORDER = ["W1", "W2", "W3", "W4", "W5", "W6", "MEM", "TMEM", "TIMER", "CTX"]

vals = {}
for line in open(raw_path):
    parts = line.split()
    if len(parts) == 3:
        vals.setdefault((parts[0], parts[1]), []).append(parts[2])


def median(samples, higher_better):
    """Median where a failed run (timeout/error) counts as the worst value."""
    if not samples:
        return None, 0
    worst = float("-inf") if higher_better else float("inf")
    nums, bad = [], 0
    for s in samples:
        try:
            nums.append(float(s))
        except ValueError:
            nums.append(worst)
            bad += 1
    nums.sort()
    # With an even count take the lower-middle for throughput and the
    # upper-middle for latency, i.e. the less flattering of the two.
    n = len(nums)
    if n % 2:
        m = nums[n // 2]
    else:
        a, b = nums[n // 2 - 1], nums[n // 2]
        if a in (worst,) or b in (worst,):
            m = worst
        else:
            m = (a + b) / 2
    return m, bad


def fmt(w, v, samples):
    if v is None:
        return "n/a"
    if v in (float("inf"), float("-inf")):
        return "timeout" if "timeout" in samples else "error"
    if w == "W3":
        return f"{v:,.0f} ns"
    if w in ("MEM", "TMEM"):
        return f"{v:,.0f} B"
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e3:
        return f"{v / 1e3:.0f}k"
    return f"{v:.0f}"


print("| workload | goro | Go | goro/Go | target | met |")
print("|---|---|---|---|---|---|")
for w in ORDER:
    label, hib, kind, tgt = SPEC[w]
    gs = vals.get(("goro", w), [])
    os_ = vals.get(("go", w), []) if have_go else []
    gm, gbad = median(gs, hib)
    om, obad = median(os_, hib) if have_go else (None, 0)
    gcell = fmt(w, gm, gs) + (f" ({gbad}/{len(gs)} failed)" if gbad else "")
    ocell = fmt(w, om, os_) + (f" ({obad}/{len(os_)} failed)" if obad else "") if have_go else "n/a"
    finite = lambda x: x is not None and x not in (float("inf"), float("-inf"))
    if finite(gm) and finite(om) and om != 0:
        ratio = gm / om
        rcell = f"{ratio:.2f}"
    else:
        ratio = None
        rcell = "n/a"
    if kind is None:
        tcell, met = "–", "–"
    else:
        tcell = f"{kind} {tgt:.1f}"
        if ratio is not None:
            met = "yes" if (ratio >= tgt if kind == ">=" else ratio <= tgt) else "no"
        elif gm is not None and not finite(gm):
            met = "no"  # goro itself failed or timed out
        else:
            met = "n/a"
    print(f"| {label} | {gcell} | {ocell} | {rcell} | {tcell} | {met} |")

print()
print("goro/Go is the ratio of medians: throughput for W1, W2, W4, W5, W6 "
      "(higher is better), latency for W3 and bytes for MEM (lower is better).")
print()
print("Raw values, in run order:")
print()
for w in ORDER:
    for sys_ in ("goro", "go"):
        s = vals.get((sys_, w))
        if s:
            print(f"- {sys_} {w}: {' '.join(s)}")
PY
log "raw values: $raw; stderr of the runs: $errlog"
