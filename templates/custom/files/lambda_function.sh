# Entry module of the image: one shell function per handler, plus the dispatcher.
#
# Each deployed function runs ONE handler: its image command (ImageConfig.Command)
# is that handler's string, e.g. "lambda_function.ingest", which the bootstrap (the
# runtime) reads from _HANDLER. The image's default command is the dispatcher, so one
# local container serves every handler:
#
#   {"handler": "ingest", "event": {...}}
#
# A handler reads its event (JSON) on stdin and prints its result (JSON) on stdout; a
# non-zero status is an error, whose message is its last line on stderr. The
# invocation's context is in the environment: LAMBDA_REQUEST_ID, LAMBDA_DEADLINE_MS,
# LAMBDA_INVOKED_FUNCTION_ARN, plus Lambda's AWS_LAMBDA_FUNCTION_NAME and the others.
#
# Keep these functions thin: the logic lives in lib/core.sh, where it is tested
# without Lambda. `yo lambda-image:handler <name>` adds a handler here.
. "${LAMBDA_TASK_ROOT:-.}/lib/core.sh"

# lambda-image:handlers (new handlers are added above this line)

# The dispatcher's routes, in the manifest's order: "<handler name> <function>" per line.
lambda_routes() {
  # lambda-image:routes (the dispatcher's routes; new ones are added above this line)
  :
}

# Dispatcher: routes {"handler": <name>, "event": {...}} to that handler.
lambda_handler() {
  _request=$(cat)
  _valid=$(lambda_routes | awk 'BEGIN { ORS = "" } NR > 1 { print ", " } { print $1 }')
  if ! printf '%s' "$_request" | jq -e 'type == "object" and has("handler")' >/dev/null 2>&1; then
    echo "UnknownHandlerError: missing \"handler\": send {\"handler\": <one of $_valid>, \"event\": {...}}" >&2
    return 1
  fi
  _name=$(printf '%s' "$_request" | jq -r '.handler')
  _route=$(lambda_routes | awk -v name="$_name" '$1 == name { print $2; exit }')
  if [ -z "$_route" ]; then
    echo "UnknownHandlerError: unknown handler \"$_name\": valid handlers are $_valid" >&2
    return 1
  fi
  printf '%s' "$_request" | jq -c '.event // {}' | "$_route"
}
