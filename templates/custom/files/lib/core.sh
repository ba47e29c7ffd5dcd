# The logic of every handler, as filters from the event (JSON on stdin) to the result
# (JSON on stdout), written with jq.
#
# Nothing here knows about Lambda, so it is tested as ordinary code
# (test/core_test.sh). Each handler in lambda_function.sh is a thin wrapper over one
# function here, core__<handler>: a handler's own function never has a double
# underscore, so the two cannot collide.

# The sample logic every handler shares, as a jq function: count the records and
# total their amounts.
CORE_JQ='def summarize: (. // []) | {count: length, total: ((map(.amount // 0) | add // 0) * 100 | round / 100)};'

# summarize, for a list of records on stdin.
core__summarize() {
  jq -c "$CORE_JQ summarize"
}

# lambda-image:core (each handler's logic; new ones are added above this line)
