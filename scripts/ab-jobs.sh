#!/bin/bash
# A/B of two built trees' broker CPU a job, both measured at the same time.
#
#   scripts/ab-jobs.sh TREE_A TREE_B [PAIRS] [ROUNDS]
#
# Each pair starts a size-1 instance of each tree at once; each runs 20 jobs,
# then ROUNDS rounds of `flux submit --cc=1-1000 --wait true`, and prints for
# each round its jobs/s and the CPU (ms a job) of its broker's main thread,
# its other threads (V8's compiler and GC) and its reaped children
# (flux-task and true). On a VM whose speed drifts by a third within minutes,
# runs one after the other cannot show a 5 % change; instances that run
# together see the same machine. The summary averages rounds 2 and later
# (round 1 is the JIT's warm-up, shown apart).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 TREE_A TREE_B [PAIRS] [ROUNDS]" >&2; exit 2; }
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd) PAIRS=${3:-3} ROUNDS=${4:-4}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cat >"$OUT/rounds.sh" <<'EOF'
#!/bin/bash
pid=$(flux getattr broker.pid)
snap() { for t in /proc/$pid/task/*; do echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat")"; done; }
flux submit --cc=1-20 --quiet --wait true
for r in $(seq "$ROUNDS"); do
  snap >"$SNAP.0"; c0=$(awk '{print $16+$17}' /proc/$pid/stat); t0=$(date +%s.%N)
  flux submit --cc=1-1000 --quiet --wait true
  t1=$(date +%s.%N); snap >"$SNAP.1"; c1=$(awk '{print $16+$17}' /proc/$pid/stat)
  hz=$(getconf CLK_TCK)
  awk -v r="$r" -v w="$(echo "1000/($t1-$t0)" | bc -l)" -v ch=$((c1 - c0)) -v hz="$hz" \
    'NR==FNR{a[$1]=$2;next}{d=$2-a[$1]; if(FNR==1) m=d; else o+=d}
     END{k=1000/hz/1000; printf "r%d %.1f %.3f %.3f %.3f\n", r, w, m*k, o*k, ch*k}' "$SNAP.0" "$SNAP.1"
done
EOF
chmod +x "$OUT/rounds.sh"

for i in $(seq "$PAIRS"); do
  for t in A B; do
    tree=${!t}
    (PATH="$tree/bin:$PATH" ROUNDS=$ROUNDS SNAP="$OUT/snap.$t.$i" "$tree/bin/flux" start --test-size=1 "$OUT/rounds.sh" \
      | sed "s|^|$t |" >"$OUT/out.$t.$i") &
  done
  wait
  cat "$OUT/out.A.$i" "$OUT/out.B.$i"
done | tee "$OUT/all" | awk '{printf "%s %s %8s jobs/s  main %s  threads %s  children %s\n", $1, $2, $3, $4, $5, $6}'

echo "A = $A"
echo "B = $B"
awk '$2!="r1"{m[$1]+=$4; o[$1]+=$5; c[$1]+=$6; w[$1]+=$3; n[$1]++}
     $2=="r1"{m1[$1]+=$4; o1[$1]+=$5; n1[$1]++}
     END{printf "   rounds 2+: jobs/s  main  threads  children | round 1: main  threads (ms a job)\n";
         for(k in n) printf "%s  %10.0f  %5.3f  %7.3f  %8.3f |          %5.3f  %7.3f\n", k, w[k]/n[k], m[k]/n[k], o[k]/n[k], c[k]/n[k], m1[k]/n1[k], o1[k]/n1[k]}' "$OUT/all" | sort
