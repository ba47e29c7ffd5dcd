#!/bin/sh
# Runs every test/*_test.sh from the project root; fails if any of them fails.
cd "$(dirname "$0")/.." || exit 1
status=0
for test in test/*_test.sh; do
  echo "# $test"
  sh "$test" || status=1
done
exit "$status"
