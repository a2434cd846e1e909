#!/usr/bin/env bash
# The replication kit's formats end to end: the tiny economy in the kit's Base_Year layout with
# L0 and mu0 as .mat variables solves to the same paths, bit for bit, as the long tables with CSV
# inputs; `--format mat` writes baseline.mat and counterfactual.mat, which tests/kit_outputs.m reads
# in Octave as the kit's scripts would (shapes, labor totals, V = 1 at the horizon, the CSV
# numbers). Without Octave it checks what it can and exits 77 (skipped, loudly), or fails when
# DYNHAT_REQUIRE_OCTAVE is set (scripts/test.sh, CI's command).
set -uo pipefail
dynhat=$(realpath "$1")
make_tiny_economy=$(realpath "$2")
script=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
source "$(dirname "$0")/tiny_labor.sh"
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failures=$((failures + 1)); fi
}
cd "$work"
"$make_tiny_economy" long kit
write_tiny_labor L0.csv mu0.csv
shocks='[model]
periods = 20
[[productivity]]
sectors = ["Services"]
regions = ["C"]
quarters = [1, 5]
cumulative = 1.5
[effects]
manufacturing = [0]'
cat > long.toml <<TOML
[data]
tables = "long"
L0 = "L0.csv"
mu0 = "mu0.csv"
mobile_regions = 2
$shocks
TOML

"$dynhat" solve long.toml --format mat --quiet --out long_run > long.log 2>&1
check "solve --format mat exits 0" test $? -eq 0
check "--format mat writes baseline.mat and counterfactual.mat" \
  test -s long_run/baseline.mat -a -s long_run/counterfactual.mat
check "--format mat keeps the CSV path files" test -s long_run/counterfactual/Y.csv
check "report.json lists the .mat files and their variables" \
  grep -q '"counterfactual.mat:V"' long_run/report.json
"$dynhat" solve long.toml --baseline long_run --quiet --out reused > reused.log 2>&1
check "a --format mat run's baseline is reusable" cmp -s long_run/counterfactual/Y.csv reused/counterfactual/Y.csv

octave=$(command -v octave-cli || command -v octave)
if [ -z "$octave" ]; then
  if [ -n "${DYNHAT_REQUIRE_OCTAVE:-}" ] && [ "${DYNHAT_REQUIRE_OCTAVE}" != 0 ]; then
    echo "FAILED: DYNHAT_REQUIRE_OCTAVE is set but octave is not installed (apt-get install octave)"
    exit 1
  fi
  echo "*** octave not found: the .mat inputs and the Octave reading of the outputs are SKIPPED ***"
  [ "$failures" -eq 0 ] || exit 1
  exit 77
fi
# Octave 7 in a container without a terminal prints "error: ignoring const execution_exception&
# while preparing to exit" at every exit, even after `--eval 'disp(1)'` with status 0: dropped.
octave_run() {
  local rc
  "$octave" --norc --no-gui -q "$@" > octave_run.out 2>&1
  rc=$?
  grep -v '^error: ignoring const execution_exception& while preparing to exit$' octave_run.out
  return "$rc"
}

# L0 and mu0 as .mat variables, written by Octave as MATLAB's save does (-v7: compressed v5).
octave_run --eval "mu0 = dlmread('mu0.csv'); L0 = dlmread('L0.csv'); save('-v7', 'inputs.mat', 'mu0', 'L0');" > save.log
check "octave writes inputs.mat" test -s inputs.mat
cat > kit.toml <<TOML
[data]
tables = "kit"                  # the layout is detected: kit/xbilat.txt
L0 = "inputs.mat:L0"
mu0 = "inputs.mat:mu0"
mobile_regions = 2
theta = "kit/theta.txt"
sector_names = "kit/sectors.txt"
region_names = "kit/regions.txt"
$shocks
TOML
"$dynhat" solve kit.toml --format mat --quiet --out kit_run > kit.log 2>&1
check "solve on the kit's layout with .mat inputs exits 0" test $? -eq 0
for f in baseline/Y.csv baseline/L.csv counterfactual/Y.csv counterfactual/L.csv \
         counterfactual/real_wage.csv effects/employment_by_sector.csv; do
  check "kit layout and .mat inputs: the same $f as the long tables" cmp -s "long_run/$f" "kit_run/$f"
done
grep -q '"role": "mu0"' kit_run/report.json && grep -q 'inputs.mat:mu0' kit_run/report.json
check "report.json records the .mat variable as the mu0 input" test $? -eq 0

# What the kit's scripts would see. J = 2 sectors, R = 2 mobile regions, T = 20.
octave_run "$script" long_run 2 2 20 > octave.log
rc=$?
cat octave.log
check "tests/kit_outputs.m passes on dynhat's .mat outputs" test "$rc" -eq 0

# A missing variable is an input error naming the file and the variable; nothing is written.
sed 's/inputs.mat:mu0/inputs.mat:mu1/' kit.toml > missing.toml
"$dynhat" solve missing.toml --quiet --out missing > missing.log 2>&1
check "a missing .mat variable exits 1" test $? -eq 1
check "the message names the file, the variable and those present" \
  grep -q "inputs.mat:mu1: no variable 'mu1' in the file (variables: " missing.log
check "nothing is written" test ! -e missing

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all kit-format checks passed"
