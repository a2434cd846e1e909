#!/usr/bin/env bash
# End-to-end checks of the dynhat CLI: outputs and shapes, report.json fields, exit codes
# (0 ok, 1 invalid input or argument error, 2 not converged), that a failed run writes nothing,
# that --out is checked before solving, reruns replace whole directories and signals clean up.
set -uo pipefail
dynhat=$1
make_tiny_economy=$2  # writes tests/support/tiny_economy.cpp's tables: 2 sectors, regions A, B, C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
source "$(dirname "$0")/tiny_labor.sh"
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failures=$((failures + 1)); fi
}
rows() { wc -l < "$1" | tr -d ' '; }
cols() { head -1 "$1" | awk -F, '{print NF}'; }

cd "$work"
"$make_tiny_economy" tiny_economy
tiny_economy=$work/tiny_economy
printf '0.9,0.05,0.05\n0.1,0.8,0.1\n0.02,0.03,0.95\n' > mu0.csv
printf '100\n50\n25\n' > L0.csv
printf '0,0.5,2\n1,0,1\n3,1,0\n' > tau.csv
: > wage.csv
for t in 0 1 2 3 4 5 6 7; do
  if [ "$t" -ge 1 ] && [ "$t" -le 4 ]; then echo "1,1.05,1" >> wage.csv; else echo "1,1,1" >> wage.csv; fi
done
for t in 0 1 2 3 4; do echo "0.$t,0.2,0.1" >> utility.csv; done

version=$("$dynhat" --version)
check "--version exits 0" test $? -eq 0
check "--version prints dynhat X.Y.Z (git REV)" \
  grep -Eqx 'dynhat [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]+|unknown)\)' <<< "$version"

"$dynhat" household hat --mu0 mu0.csv --L0 L0.csv --real-wage wage.csv --beta 0.99 --nu 2 \
  --out hat --quiet > hat.log 2>&1
check "hat exits 0" test $? -eq 0
check "hat Y.csv is 8 x 3" test "$(rows hat/Y.csv)x$(cols hat/Y.csv)" = "8x3"
check "hat L.csv is 9 x 3" test "$(rows hat/L.csv)x$(cols hat/L.csv)" = "9x3"
check "hat L.csv row 0 is L0" test "$(head -1 hat/L.csv)" = "100,50,25"
for key in converged iterations residual residual_history backend seconds; do
  check "report.json has $key" grep -q "\"$key\"" hat/report.json
done
check "report says converged" grep -q '"converged": true' hat/report.json
check "hat --quiet prints nothing" test ! -s hat.log
check "report.json gives Y.csv its layout" grep -q '"Y.csv": {' hat/report.json

"$dynhat" household hat --mu0 mu0.csv --L0 L0.csv --real-wage wage.csv --method picard \
  --out hat_npy --format npy --quiet > /dev/null 2>&1
check "picard with npy outputs exits 0" test $? -eq 0
check "Y.npy written" test -s hat_npy/Y.npy

# mu0 sparse: the long-format file of the same matrix, and each storage of the dense one, give the
# dense run's path (to rounding: the sums run in other orders; float32 rounds mu0's entries).
max_diff() {  # max |a - b| over two CSV files of one shape
  paste -d, "$1" "$2" | awk -F, '{n = NF / 2; for (i = 1; i <= n; i++) { d = $i - $(i + n);
    if (d < 0) d = -d; if (d > m) m = d } } END { printf "%.3g", m + 0 }'
}
printf 'origin,destination,share\n0,0,0.9\n0,1,0.05\n0,2,0.05\n1,0,0.1\n1,1,0.8\n1,2,0.1\n2,2,0.95\n2,0,0.02\n2,1,0.03\n' > mu0_long.csv
"$dynhat" household hat --mu0 mu0_long.csv --L0 L0.csv --real-wage wage.csv --beta 0.99 --nu 2 \
  --out hat_sparse --quiet > sparse.log 2>&1
check "hat with a sparse mu0 file exits 0" test $? -eq 0
check "... says it kept mu0 sparse" grep -q '"mu0_storage": "sparse"' hat_sparse/report.json
check "... and gives the dense path (1e-12)" awk -v d="$(max_diff hat_sparse/Y.csv hat/Y.csv)" 'BEGIN { exit !(d < 1e-12) }'
for storage in sparse float32; do
  "$dynhat" household hat --mu0 mu0.csv --L0 L0.csv --real-wage wage.csv --beta 0.99 --nu 2 \
    --mu0-storage "$storage" --out "hat_$storage" --quiet > /dev/null 2>&1
  check "hat --mu0-storage $storage exits 0" test $? -eq 0
  check "... within 1e-6 of the dense path" awk -v d="$(max_diff "hat_$storage/Y.csv" hat/Y.csv)" 'BEGIN { exit !(d < 1e-6) }'
done
printf 'origin,destination,share\n0,0,0.9\n0,3,0.1\n' > bad_long.csv
"$dynhat" household hat --mu0 bad_long.csv --L0 L0.csv --real-wage wage.csv --out bad_sparse > bad_sparse.log 2>&1
check "a sparse mu0 with an index out of range exits 1" test $? -eq 1
check "... naming the file" grep -q 'bad_long.csv' bad_sparse.log

"$dynhat" household hat --mu0 mu0.csv --L0 L0.csv --real-wage wage.csv --method picard \
  --max-iterations 2 --out capped --quiet > /dev/null 2>&1
check "not converged exits 2" test $? -eq 2
check "not converged report says so" grep -q '"converged": false' capped/report.json

printf '0.9,0.05,0.05\n0.1,0.7,0.1\n0.02,0.03,0.95\n' > bad_mu0.csv
"$dynhat" household hat --mu0 bad_mu0.csv --L0 L0.csv --real-wage wage.csv --out bad \
  > bad.log 2>&1
check "bad mu0 exits 1" test $? -eq 1
check "bad mu0 message names file, row and rule" grep -q 'bad_mu0.csv row 1 sums to 0.8999.*must be 1' bad.log
check "bad mu0 writes nothing" test ! -e bad

printf '100\n-50\n25\n' > bad_L0.csv
"$dynhat" household hat --mu0 mu0.csv --L0 bad_L0.csv --real-wage wage.csv --out bad > bad.log 2>&1
check "negative L0 exits 1 naming entry" grep -q 'bad_L0.csv entry 1 is -50' bad.log
"$dynhat" household hat --mu0 mu0.csv --L0 L0.csv --real-wage wage.csv --beta 1 --out bad > bad.log 2>&1
check "beta = 1 rejected" grep -q -- '--beta = 1 must be in \[0, 1)' bad.log
printf '1,2,3\n4,5\n' > ragged.csv
"$dynhat" household hat --mu0 ragged.csv --L0 L0.csv --real-wage wage.csv --out bad > bad.log 2>&1
check "ragged file rejected" grep -q 'ragged.csv line 2 has 2 columns' bad.log
check "failed runs wrote nothing" test ! -e bad

"$dynhat" household levels --tau tau.csv --utility utility.csv --L0 L0.csv --periods 5 \
  --beta 0.95 --nu 1.5 --out levels > /dev/null 2>&1
check "levels exits 0" test $? -eq 0
check "levels V.csv is 6 x 3" test "$(rows levels/V.csv)x$(cols levels/V.csv)" = "6x3"
check "levels L.csv is 6 x 3" test "$(rows levels/L.csv)x$(cols levels/L.csv)" = "6x3"
"$dynhat" household levels --tau tau.csv --utility utility.csv --L0 L0.csv --periods 5 \
  --beta 0.95 --nu 1.5 --format npy --quiet --out levels_npy > levels_npy.log 2>&1
check "levels --format npy --quiet exits 0 and prints nothing" test $? -eq 0 -a ! -s levels_npy.log
check "levels --format npy writes V.npy" test -s levels_npy/V.npy
"$dynhat" household levels --tau tau.csv --utility utility.csv --L0 L0.csv --periods 4 \
  --out bad > bad.log 2>&1
check "levels periods mismatch rejected" grep -q 'utility.csv.*is 5 x 3, must be 4 x 3' bad.log

if ! nvidia-smi > /dev/null 2>&1; then
  "$dynhat" household hat --mu0 mu0.csv --L0 L0.csv --real-wage wage.csv --backend cuda \
    --out bad > bad.log 2>&1
  check "cuda without a device exits 1" test $? -eq 1
  check "cuda without a device says so" grep -q -i 'cuda' bad.log
fi

"$dynhat" demo --out demo --regions 8 --mobile-regions 3 --sectors 4 --periods 30 > demo.log 2>&1
check "small demo exits 0" test $? -eq 0
check "demo prints the headline" grep -q 'manufacturing share of employment' demo.log
check "demo writes the effects" test -s demo/effects/summary.csv
check "the tiny demo's manufacturing is a strict subset (its effect is not 0)" \
  grep -q 'manufacturing share of employment at slot 28 (2007Q1): [0-9.]*% baseline, [0-9.]*% counterfactual: effect -' demo.log

# dynhat solve on the tiny economy: R = 2 mobile regions x 3 markets.
write_tiny_labor tiny_L0.csv tiny_mu0.csv
cat > scenario.toml <<TOML
[data]
tables = "$tiny_economy"
L0 = "tiny_L0.csv"
mu0 = "tiny_mu0.csv"
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
"$dynhat" solve scenario.toml --out solved > solve.log 2>&1
check "solve exits 0" test $? -eq 0
check "solve prints progress lines" grep -q 'counterfactual iteration' solve.log
check "baseline L.csv is T x M = 20 x 6" test "$(rows solved/baseline/L.csv)x$(cols solved/baseline/L.csv)" = "20x6"
for f in counterfactual/Y.csv counterfactual/real_wage.csv effects/employment_by_sector.csv \
         effects/employment_by_region.csv effects/welfare_by_market.csv effects/paths.csv; do
  check "solve writes $f" test -s "solved/$f"
done
check "report.json has the inputs' SHA-256" grep -q '"sha256"' solved/report.json
check "sector names are quoted in the effects" grep -q '^"Goods, Wares",' solved/effects/employment_by_sector.csv
check "employment_long has one row per state, market and quarter" test "$(rows solved/effects/employment_long.csv)" = "$((1 + 2 * 3 * 20))"
check "employment_long labels quarters" grep -q '^A,Non-employment,2004Q4,' solved/effects/employment_long.csv
check "report.json lists the files written" grep -q '"effects/employment_long.csv"' solved/report.json
check "report.json gives each matrix its layout" grep -q '"counterfactual/Y_own.csv"' solved/report.json

# A saved baseline, reused: the same counterfactual, byte for byte; refused for other inputs.
"$dynhat" baseline scenario.toml --out base_only --quiet > baseline.log 2>&1
check "dynhat baseline exits 0" test $? -eq 0
check "--quiet prints nothing" test ! -s baseline.log
check "dynhat baseline writes only the baseline" test -s base_only/baseline/baseline.json -a ! -e base_only/counterfactual
"$dynhat" solve scenario.toml --baseline base_only --out reused > reused.log 2>&1
check "solve --baseline exits 0" test $? -eq 0
check "solve --baseline says it reused it" grep -q '(reused)' reused.log
for f in counterfactual/Y.csv counterfactual/L.csv effects/summary.csv effects/employment_long.csv; do
  check "reused baseline: same $f" cmp -s "solved/$f" "reused/$f"
done
sed 's/^periods = 20$/periods = 21/' scenario.toml > other.toml
"$dynhat" solve other.toml --baseline base_only --out other > other.log 2>&1
check "a baseline of other inputs exits 1" test $? -eq 1
check "and names the field that differs" grep -q 'model.periods is 20 in the saved baseline, 21' other.log
check "and writes nothing" test ! -e other

"$dynhat" solve scenario.toml --format npy --quiet --out solved_npy > npy.log 2>&1
check "solve --format npy exits 0" test $? -eq 0
check "solve --format npy writes .npy paths" test -s solved_npy/baseline/L.npy -a -s solved_npy/counterfactual/Y.npy
check "solve --quiet prints nothing" test ! -s npy.log

# The scenario's mu0 as a long-format sparse file, kept sparse on the backend: the same paths.
awk -F, 'BEGIN { print "origin,destination,share" } { for (k = 1; k <= NF; k++) if ($k != 0) print NR - 1 "," k - 1 "," $k }' \
  tiny_mu0.csv > tiny_mu0_long.csv
sed -e 's/^mu0 = "tiny_mu0.csv"$/mu0 = "tiny_mu0_long.csv"/' -e 's/^periods = 20$/periods = 20\n[solver]\nmu0_storage = "sparse"/' \
  scenario.toml > sparse.toml
"$dynhat" solve sparse.toml --out solved_sparse --quiet > sparse_solve.log 2>&1
check "solve with a sparse mu0 file and mu0_storage = sparse exits 0" test $? -eq 0
check "... records the storage" grep -q '"mu0_storage": "sparse"' solved_sparse/report.json
check "... and gives the dense run's labor (1e-8 persons)" \
  awk -v d="$(max_diff solved_sparse/counterfactual/L.csv solved/counterfactual/L.csv)" 'BEGIN { exit !(d < 1e-8) }'

sed 's/regions = \["C"\]/regions = ["Mars"]/' scenario.toml > unknown.toml
"$dynhat" solve unknown.toml --out unknown > unknown.log 2>&1
check "unknown region exits 1" test $? -eq 1
check "unknown region names the key" grep -q 'productivity\[0\].regions\[0\]' unknown.log
check "a failed solve writes nothing" test ! -e unknown
sed 's/^periods = 20$/periods = "many"/' scenario.toml > malformed.toml
"$dynhat" solve malformed.toml --out malformed > malformed.log 2>&1
check "malformed scenario exits 1" test $? -eq 1
check "malformed scenario names the key" grep -q 'model.periods' malformed.log

# The baseline's own changes and a later news slot: paths before the news are the baseline's.
cat scenario.toml - > news.toml <<TOML
[counterfactual]
news_slot = 3
[[baseline.productivity]]
sectors = ["Goods, Wares"]
regions = ["C"]
quarters = [1, 4]
cumulative = 1.3
TOML
sed -i 's/^quarters = \[1, 5\]$/quarters = [3, 7]/' news.toml
"$dynhat" solve news.toml --out news > news.log 2>&1
check "baseline changes and news_slot: solve exits 0" test $? -eq 0
check "report.json records the baseline's changes" grep -q '"baseline_changes"' news/report.json
check "report.json records the news slot" grep -q '"news_slot": 3' news/report.json
check "report.json says which migration form" grep -q '"migration_path": "factorised"' news/report.json
check "labor before the news equals the baseline's" cmp -s <(head -n 4 news/baseline/L.csv) <(head -n 4 news/counterfactual/L.csv)
check "labor after the news differs" test "$(sed -n 6p news/baseline/L.csv)" != "$(sed -n 6p news/counterfactual/L.csv)"
"$dynhat" solve news.toml --baseline base_only --out news_reused > news_reused.log 2>&1
check "a saved constant-fundamentals baseline is refused for a baseline with changes" grep -q 'model.baseline_changes is 0 in the saved baseline, 4' news_reused.log
sed 's/^quarters = \[3, 7\]$/quarters = [2, 7]/' news.toml > early.toml
"$dynhat" solve early.toml --out early > early.log 2>&1
check "a change before the news exits 1" test $? -eq 1
check "... naming the entry and the news slot" grep -q 'productivity change 0: slot 2 comes before the news at slot 3' early.log

"$dynhat" equilibrium base-year --data "$tiny_economy" --mobile-regions 2 --out base > eq.log 2>&1
check "equilibrium base-year exits 0" test $? -eq 0
check "omega.csv is J x N = 2 x 3" test "$(rows base/omega.csv)x$(cols base/omega.csv)" = "2x3"
check "trade_shares.csv is J*N x N = 6 x 3" test "$(rows base/trade_shares.csv)x$(cols base/trade_shares.csv)" = "6x3"
check "price_index.csv has N = 3 rows" test "$(rows base/price_index.csv)" = "3"
for f in sector_prices expenditure VAL VAR; do check "$f.csv written" test -s "base/$f.csv"; done
check "base-year report names the orders" grep -q '"trade_shares.csv"' base/report.json
"$dynhat" equilibrium base-year --data "$tiny_economy" --mobile-regions 2 --format npy --quiet \
  --out base_npy > eq_npy.log 2>&1
check "equilibrium --format npy exits 0" test $? -eq 0
check "equilibrium --format npy writes omega.npy" test -s base_npy/omega.npy
check "equilibrium --quiet prints nothing" test ! -s eq_npy.log

printf 'sector,region,value\nServices,C,1.1\n' > productivity.csv
printf 'sector,destination,source,value\n"Goods, Wares",A,C,1.2\n' > kappa.csv
"$dynhat" equilibrium shock --data "$tiny_economy" --mobile-regions 2 --productivity productivity.csv \
  --trade-costs kappa.csv --out shock > eq.log 2>&1
check "equilibrium shock exits 0" test $? -eq 0
check "shock writes real_wage.csv 2 x 3" test "$(rows shock/real_wage.csv)x$(cols shock/real_wage.csv)" = "2x3"
"$dynhat" equilibrium shock --data "$tiny_economy" --mobile-regions 2 --method replication \
  --productivity productivity.csv --out shock_replication > /dev/null 2>&1
check "replication method exits 0" test $? -eq 0

printf 'sector,region,value\nServices,Mars,1.1\n' > bad_shock.csv
"$dynhat" equilibrium shock --data "$tiny_economy" --mobile-regions 2 --productivity bad_shock.csv \
  --out bad > bad.log 2>&1
check "unknown region in a shock rejected" grep -q "bad_shock.csv line 2.*region 'Mars' is not a region" bad.log
printf 'sector,region,value\nServices,A,1.1\nServices,C,1.2\n' > labor.csv
"$dynhat" equilibrium shock --data "$tiny_economy" --mobile-regions 2 --labor labor.csv --out bad > bad.log 2>&1
check "labor shock to a country rejected" grep -q "must be 1: region 2 is not mobile" bad.log
check "failed equilibrium runs wrote nothing" test ! -e bad

# --- argument errors exit 1 and name the option; bad values are refused before any solve ----
hat_args=(household hat --mu0 mu0.csv --L0 L0.csv --real-wage wage.csv --quiet)
expect_argument_error() {  # expect_argument_error WHAT PATTERN ARGS...
  local what=$1 pattern=$2; shift 2
  "$dynhat" "$@" > arg.log 2>&1
  local rc=$?
  check "$what exits 1 (was CLI11's 10x)" test "$rc" -eq 1
  check "$what names the option" grep -q -- "$pattern" arg.log
}
expect_argument_error "missing --out" "--out is required" "${hat_args[@]}"
expect_argument_error "unknown option" "--bogus" "${hat_args[@]}" --out bad --bogus 1
expect_argument_error "--tol -1" "--tol" "${hat_args[@]}" --out bad --tol -1
expect_argument_error "--tol nan" "--tol.*must be a finite number > 0" "${hat_args[@]}" --out bad --tol nan
expect_argument_error "--max-iterations 0" "--max-iterations.*>= 1" "${hat_args[@]}" --out bad \
  --max-iterations 0
expect_argument_error "--periods 0" "--periods.*>= 1" household levels --tau tau.csv \
  --utility utility.csv --L0 L0.csv --periods 0 --out bad
expect_argument_error "--mobile-regions 0" "--mobile-regions.*>= 1" equilibrium base-year \
  --data "$tiny_economy" --mobile-regions 0 --out bad
expect_argument_error "demo --periods 0" "--periods" demo --periods 0 --out bad
check "argument errors wrote nothing" test ! -e bad
"$dynhat" --help > /dev/null 2>&1
check "--help exits 0" test $? -eq 0

# --- hostile .npy headers: a message naming the file, never a crash or a huge allocation ------
npy() {  # npy FILE SHAPE DATA_BYTES: version 1.0 header for SHAPE (64-byte aligned), zero data
  local header="{'descr': '<f8', 'fortran_order': False, 'shape': $2, }"
  local pad=$(( (64 - (10 + ${#header} + 1) % 64) % 64 ))
  local len=$(( ${#header} + 1 + pad ))
  { printf '\x93NUMPY\x01\x00'
    printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))"
    printf '%s%*s\n' "$header" "$pad" ""
    head -c "$3" /dev/zero; } > "$1"
}
npy wrap.npy '(4294967296, 4294967296)' 8
npy tall.npy '(4611686018427387904, 4)' 8
npy claims.npy '(100000, 100000)' 192
"$dynhat" household levels --tau wrap.npy --utility utility.csv --L0 L0.csv --periods 5 \
  --out bad > npy.log 2>&1
check "levels --tau with a wrapping shape exits 1 (was SIGSEGV)" test $? -eq 1
check "wrapping shape message names the file" grep -q 'wrap.npy: shape (4294967296, 4294967296) needs more than 2^64' npy.log
"$dynhat" household hat --mu0 wrap.npy --L0 L0.csv --real-wage wage.csv --out bad > npy.log 2>&1
check "hat --mu0 with a wrapping shape exits 1 (was SIGSEGV)" test $? -eq 1
"$dynhat" household hat --mu0 mu0.csv --L0 L0.csv --real-wage tall.npy --out bad > npy.log 2>&1
check "hat --real-wage (2^62, 4) exits 1 (was SIGSEGV)" test $? -eq 1
check "(2^62, 4) message names the file" grep -q 'tall.npy: shape (4611686018427387904, 4)' npy.log
# 320 bytes declaring 80 GB, more than the machine has: refused from the file size, before any
# allocation (the reader used to allocate first, and a declaration this large exhausted memory).
"$dynhat" household hat --mu0 claims.npy --L0 L0.csv --real-wage wage.csv --out bad > npy.log 2>&1
check "a tiny file declaring 100000 x 100000 exits 1" test $? -eq 1
check "... with the file and the sizes, not bad_alloc" grep -q 'claims.npy: shape (100000, 100000) needs 80000000000 data bytes after the header, the file has 192' npy.log
check "bad .npy files wrote nothing" test ! -e bad

# --- --out is checked before any solving, with a message naming --out ------------------------
printf 'x' > a_file
ln -s "$work/nowhere" dangling
expect_out_error() {  # expect_out_error WHAT OUT PATTERN
  "$dynhat" solve scenario.toml --out "$2" > out.log 2>&1
  local rc=$?
  check "solve --out $1 exits 1" test "$rc" -eq 1
  check "solve --out $1: message names --out" grep -q -- "--out.*$3" out.log
  check "solve --out $1: refused before solving" bash -c "! grep -q iteration out.log"
}
expect_out_error "an existing file" a_file "exists and is not a directory"
expect_out_error "under a file" a_file/out "cannot create its parent directory"
expect_out_error "a dangling link" dangling "is a dangling symbolic link"
expect_out_error '""' "" "must not be empty"
expect_out_error "in an unwritable parent" /proc/self/out "cannot write in /proc/self"
mkdir -p user_dir && printf 'x' > user_dir/thesis.tex
expect_out_error "a directory of other files" user_dir "is not an earlier dynhat output"
check "user files kept" test -f user_dir/thesis.tex
"$dynhat" demo --out a_file --regions 8 --mobile-regions 3 --sectors 4 --periods 30 > out.log 2>&1
check "demo --out a file exits 1 before solving" bash -c "grep -q -- '--out' out.log && ! grep -q iteration out.log"
"$dynhat" equilibrium base-year --data "$tiny_economy" --mobile-regions 2 --out a_file > out.log 2>&1
check "equilibrium --out a file exits 1 before solving" bash -c "grep -q -- '--out' out.log && ! grep -q converged out.log"

# --- reruns into the same --out: whole directories, old or new, never a mix -------------------
listing() { (cd "$1" && find . | sort); }
before=$(listing solved)
"$dynhat" solve scenario.toml --out solved > rerun.log 2>&1
check "a rerun into an existing --out exits 0 (was: cannot rename)" test $? -eq 0
check "the rerun holds the same files" test "$(listing solved)" = "$before"
check "no staging left beside it" test -z "$(ls -A . | grep dynhat-staging)"
sed 's/cumulative = 1.5/cumulative = 1.8/' scenario.toml > other.toml
"$dynhat" solve other.toml --out solved > rerun.log 2>&1
check "a rerun with another scenario replaces report.json" grep -q 'other.toml' solved/report.json
old_report=$(sha256sum < solved/report.json)
"$dynhat" solve unknown.toml --out solved > rerun.log 2>&1
check "a failed rerun exits 1" test $? -eq 1
check "a failed rerun leaves the old run whole" test "$(sha256sum < solved/report.json)" = "$old_report"
check "... with all its files" test "$(listing solved)" = "$before"

# --- signals: SIGTERM/SIGINT remove this run's staging; SIGKILL's is swept by the next run ---
kill_run() {  # kill_run SIGNAL OUT: starts a demo into OUT, signals it once its staging exists
  set -m  # job control: without it a background job ignores SIGINT
  "$dynhat" demo --out "$2" --regions 10 --mobile-regions 6 --sectors 6 --periods 200 \
    > kill.log 2>&1 &
  local pid=$!
  for _ in $(seq 500); do [ -d ".$2.dynhat-staging-$pid" ] && break; sleep 0.01; done
  sleep 0.2
  kill -"$1" "$pid"
  wait "$pid"
  echo "$?:$pid"
}
result=$(kill_run TERM solved)
check "SIGTERM ends the run by the signal" test "${result%%:*}" -eq 143
check "SIGTERM removes the staging" test ! -e ".solved.dynhat-staging-${result##*:}"
check "SIGTERM leaves the old run whole" test "$(sha256sum < solved/report.json)" = "$old_report"
# Started in the background by a non-interactive shell (e.g. `nohup ... &`), this script
# inherits SIGINT ignored; dynhat then keeps it ignored (output_directory.cpp) and the run
# completes, so there is nothing to check.
if (( 0x$(awk '/^SigIgn/ {print $2}' /proc/$$/status) & 2 )); then
  echo "SKIPPED: SIGINT is ignored by this shell (inherited): the SIGINT check cannot run"
else
  result=$(kill_run INT interrupted)
  check "SIGINT removes the staging and writes nothing" test ! -e interrupted -a ! -e ".interrupted.dynhat-staging-${result##*:}"
fi
result=$(kill_run KILL solved)
check "SIGKILL leaves a stale staging directory" test -d ".solved.dynhat-staging-${result##*:}"
"$dynhat" solve scenario.toml --out solved > rerun.log 2>&1
check "the next run into the same parent sweeps it" test ! -e ".solved.dynhat-staging-${result##*:}"

# --- bounds and numerical breakdowns ------------------------------------------------------------
sed 's/^periods = 20$/periods = 1000000000000/' scenario.toml > huge.toml
"$dynhat" solve huge.toml --out bad > huge.log 2>&1
check "model.periods = 1e12 exits 1 (was bad_alloc)" test $? -eq 1
check "... naming the file, the key and memory" grep -q 'huge.toml: model.periods = 1000000000000 needs at least .* GB' huge.log
sed 's/^periods = 20$/periods = 20\nnu = 1e-300/' scenario.toml > tiny_nu.toml
"$dynhat" solve tiny_nu.toml --out bad > nu.log 2>&1
check "nu = 1e-300 is non-convergence: exit 2 (was 1, 'shock labor entry 0 is 0')" test $? -eq 2
check "... saying so" grep -q 'dynhat: not converged' nu.log
mkdir -p dir_tables && cp "$tiny_economy"/*.csv dir_tables/ && rm dir_tables/gross_output.csv && mkdir dir_tables/gross_output.csv
"$dynhat" equilibrium base-year --data dir_tables --mobile-regions 2 --out bad > dir.log 2>&1
check "a table path that is a directory exits 1 naming it" grep -q 'gross_output.csv: is a directory, must be a file' dir.log
check "bounds and breakdowns wrote nothing" test ! -e bad

echo "cli: $failures failure(s)"
test "$failures" -eq 0
