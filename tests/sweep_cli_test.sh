#!/usr/bin/env bash
# End-to-end checks of `dynhat sweep`: the scenario directories, summary and manifest, shards
# joined by --collect into the same summary, exit codes (1 invalid input, 2 not converged) and,
# given an mpiexec, the sweep over 2 MPI ranks equal to the serial one file for file, and so is
# one `dynhat solve --mpi` spread over 2 ranks.
#   sweep_cli_test.sh DYNHAT MAKE_TINY_ECONOMY [MPIEXEC]
set -uo pipefail
dynhat=$1
make_tiny_economy=$2
mpiexec=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
source "$(dirname "$0")/tiny_labor.sh"
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failures=$((failures + 1)); fi
}
rows() { wc -l < "$1" | tr -d ' '; }
# The summary without its timing and rank columns (17 and 18), which differ between runs.
stable_summary() { cut -d, -f1-16,19 "$1"; }
# Every file of two sweeps' scenarios equal but for the timings in the JSON manifests.
same_scenarios() {
  diff -r -x report.json -x baseline.json "$1/scenarios" "$2/scenarios" > /dev/null
}

cd "$work"
"$make_tiny_economy" tiny_economy
write_tiny_labor L0.csv mu0.csv
cat > scenario.toml <<TOML
[data]
tables = "tiny_economy"
L0 = "L0.csv"
mu0 = "mu0.csv"
mobile_regions = 2
[model]
periods = 20
[[productivity]]
sectors = ["Services"]
regions = ["C"]
quarters = [1, 5]
cumulative = 1.5
[effects]
manufacturing = [0]
TOML
cat > sweep.toml <<TOML
scenario = "scenario.toml"
[grid]
shock_scale = [0.5, 1, 2]
beta = [0.99, 0.95]
TOML

"$dynhat" sweep sweep.toml --out whole > whole.log 2>&1
check "sweep exits 0" test $? -eq 0
check "sweep prints a line per scenario" test "$(grep -c '^\[rank 0\] [0-9]/6 ' whole.log)" = 6
check "sweep says it solved 2 baselines" grep -q '6 scenarios, 2 baselines solved here' whole.log
check "summary.csv has a header and 6 rows" test "$(rows whole/summary.csv)" = 7
check "summary.csv names the headline columns" \
  grep -q '^index,name,variant,shock_scale,sectors,regions,beta,nu,theta_scale,baseline,converged,.*,manufacturing_effect_pp,nonemployment_effect_pp,aggregate_welfare_pct,' whole/summary.csv
check "sweep.json lists 6 scenarios and 2 baselines" \
  test "$(grep -c '"directory": "scenarios/' whole/sweep.json)x$(grep -c '"parameters": "beta=' whole/sweep.json)" = 6x2
for d in 0000-shock_scale=0.5_beta=0.99 0005-shock_scale=2_beta=0.95; do
  check "scenario $d is a whole output directory" \
    test -s "whole/scenarios/$d/report.json" -a -s "whole/scenarios/$d/effects/summary.csv"
done
check "a scenario's report.json records the sweep" grep -q '"variations"' whole/scenarios/0003-shock_scale=1_beta=0.95/report.json
# A scenario directory is a saved baseline like any other (dynhat solve --baseline).
sed 's/^periods = 20$/periods = 20\nbeta = 0.95/' scenario.toml > beta95.toml
sed -i 's/^\[model\]$/[model]/' beta95.toml
"$dynhat" solve beta95.toml --baseline whole/scenarios/0003-shock_scale=1_beta=0.95 --out reused --quiet > /dev/null 2>&1
check "solve --baseline reuses a sweep scenario's baseline" test $? -eq 0
check "... and gives the sweep's counterfactual" cmp -s reused/counterfactual/L.csv whole/scenarios/0003-shock_scale=1_beta=0.95/counterfactual/L.csv

for i in 0 1 2 3; do "$dynhat" sweep sweep.toml --out sharded --shard "$i/4" --quiet; done
check "four shards write four summaries" test "$(ls sharded/summary-*-of-4.csv | wc -l)" = 4
"$dynhat" sweep sweep.toml --out sharded --collect > collect.log 2>&1
check "--collect exits 0" test $? -eq 0
check "--collect gives the whole sweep's summary" cmp -s <(stable_summary sharded/summary.csv) <(stable_summary whole/summary.csv)
check "shards give the whole sweep's files" same_scenarios sharded whole
rm sharded/sweep-2-of-4.json
"$dynhat" sweep sweep.toml --out sharded --collect > missing.log 2>&1
check "--collect with a shard missing exits 1" test $? -eq 1
check "... naming it" grep -q 'shards 2 of 4 are missing' missing.log

"$dynhat" sweep sweep.toml --out bad --shard 4/4 > shard.log 2>&1
check "--shard 4/4 exits 1" test $? -eq 1
check "... saying why" grep -q '0 <= i < n' shard.log
"$dynhat" sweep sweep.toml --out bad --shard 0/2 --mpi > both.log 2>&1
check "--shard with --mpi exits 1" test $? -eq 1
printf 'scenario = "scenario.toml"\n[grid]\nsectors = ["Food"]\n' > food.toml
"$dynhat" sweep food.toml --out bad > food.log 2>&1
check "an unknown sector exits 1" test $? -eq 1
check "... naming the sweep file and the label" grep -q 'food.toml: sectors\[0\] = "Food" is not a sector' food.log
check "a refused sweep solves nothing" test ! -e bad/summary.csv
mkdir busy && echo mine > busy/notes.txt
"$dynhat" sweep sweep.toml --out busy > busy.log 2>&1
check "a directory of other work exits 1" test $? -eq 1
check "... naming the entry" grep -q 'holds notes.txt' busy.log

sed 's/^periods = 20$/periods = 20\n[solver]\nmax_iterations = 2/' scenario.toml > capped.toml
printf 'scenario = "capped.toml"\n[grid]\nshock_scale = [1]\n' > capped_sweep.toml
"$dynhat" sweep capped_sweep.toml --out capped > capped.log 2>&1
check "a sweep that does not converge exits 2" test $? -eq 2
check "... saying so" grep -q 'not converged: 1 of 1 scenarios' capped.log
check "... with its outputs and a summary that says so" grep -q '^0,0000-shock_scale=1,,1,all,all,0.99,5.3436,1,0,0,' capped/summary.csv

if [ -n "$mpiexec" ]; then
  mpirun=("$(dirname "$0")/mpirun.sh" "$mpiexec" 2)
  "${mpirun[@]}" "$dynhat" sweep sweep.toml --out ranks --mpi > mpi.log 2>&1
  check "sweep --mpi on 2 ranks exits 0" test $? -eq 0
  check "--mpi gives the serial summary" cmp -s <(stable_summary ranks/summary.csv) <(stable_summary whole/summary.csv)
  check "--mpi gives the serial files, bit for bit" same_scenarios ranks whole
  check "both ranks solved scenarios" \
    test "$(cut -d, -f18 ranks/summary.csv | tail -n +2 | sort -u | tr '\n' ' ')" = "0 1 "
  check "the ranks solved one baseline each" test "$(grep -c '"rank": 1' ranks/sweep.json)" -ge 2
  "${mpirun[@]}" "$dynhat" sweep sweep.toml --out busy --mpi > mpi_busy.log 2>&1
  check "an error on rank 0 stops both ranks with exit 1" test $? -eq 1
  check "... every rank saying why" test "$(grep -c 'holds notes.txt' mpi_busy.log)" = 2
  "${mpirun[@]}" "$dynhat" sweep capped_sweep.toml --out capped_mpi --mpi > mpi_capped.log 2>&1
  check "a sweep over ranks that does not converge exits 2" test $? -eq 2

  "$dynhat" solve scenario.toml --out solve_one > solve_one.log 2>&1
  check "solve exits 0" test $? -eq 0
  "${mpirun[@]}" "$dynhat" solve scenario.toml --out solve_two --mpi > solve_two.log 2>&1
  check "solve --mpi on 2 ranks exits 0" test $? -eq 0
  check "... writes the one-process files, bit for bit" \
    diff -r -x report.json -x baseline.json solve_one solve_two
  check "... prints its headline once" test "$(grep -c '^  outer iterations' solve_two.log)" = 1
  check "... its manifest says 2 ranks" grep -q '"mpi_ranks": 2' solve_two/report.json
  "${mpirun[@]}" "$dynhat" solve scenario.toml --out busy --mpi > solve_busy.log 2>&1
  check "solve --mpi into a directory of other work exits 1" test $? -eq 1
  check "... rank 0 naming the entry, rank 1 naming rank 0" \
    test "$(grep -c 'not an earlier dynhat output' solve_busy.log)x$(grep -c 'rank 0 failed' solve_busy.log)" = 1x1
  "${mpirun[@]}" "$dynhat" solve capped.toml --out solve_capped --mpi > solve_capped.log 2>&1
  check "solve --mpi that does not converge exits 2" test $? -eq 2
  check "... with its outputs" test -e solve_capped/report.json
else
  echo "SKIPPED: the MPI checks (no mpiexec given: a build without DYNHAT_ENABLE_MPI)"
  "$dynhat" solve scenario.toml --out solve_two --mpi > solve_two.log 2>&1
  check "solve --mpi without MPI exits 1" test $? -eq 1
  check "... saying how to get it" grep -q 'DYNHAT_ENABLE_MPI=ON' solve_two.log
fi

echo "sweep_cli: $failures failure(s)"
test "$failures" -eq 0
