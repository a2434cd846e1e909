# Sourced by the CLI tests: L0 and mu0 of the tiny economy's R = 2 mobile regions x 3 markets
# (90% stay in their market, 2% move to each other one).
write_tiny_labor() {  # write_tiny_labor L0_FILE MU0_FILE
  printf '1000\n800\n300\n900\n700\n200\n' > "$1"
  local i k v row
  for i in 0 1 2 3 4 5; do
    row=""
    for k in 0 1 2 3 4 5; do
      if [ "$i" -eq "$k" ]; then v=0.9; else v=0.02; fi
      row="$row${row:+,}$v"
    done
    echo "$row"
  done > "$2"
}
