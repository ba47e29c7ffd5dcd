# The core library, as ordinary code.
. ./test/testing.sh
. ./lib/core.sh

check 'summarize counts and totals' '{"count":2,"total":3.5}' \
  "$(echo '[{"amount": 1.5}, {"amount": 2}]' | core__summarize)"
check 'summarize of nothing' '{"count":0,"total":0}' "$(echo '[]' | core__summarize)"

finish
