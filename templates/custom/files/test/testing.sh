# A minimal test harness (TAP output): `check <description> <expected> <actual>`,
# then `finish`, which exits non-zero if any check failed.
_passed=0
_failed=0

check() {
  if [ "$2" = "$3" ]; then
    _passed=$((_passed + 1))
    echo "ok $((_passed + _failed)) - $1"
  else
    _failed=$((_failed + 1))
    echo "not ok $((_passed + _failed)) - $1"
    printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3"
  fi
}

finish() {
  echo "# pass $_passed"
  echo "# fail $_failed"
  [ "$_failed" -eq 0 ]
}
