# Every handler, called through the dispatcher as the local container calls it.
. ./test/testing.sh
. ./lambda_function.sh

# Sends {"handler": <name>, "event": <events/<name>.json>} to the dispatcher.
dispatch_sample() {
  jq -c --arg name "$1" '{handler: $name, event: .}' "events/$1.json" | lambda_handler
}

# lambda-image:tests (one test per handler; new ones are added above this line)

check 'the dispatcher routes every handler in the manifest' \
  "$(jq -r '.handlers[].name' lambda-image.json)" "$(lambda_routes | cut -d' ' -f1)"

check 'every handler string in the manifest names its route'"'"'s function' \
  "$(jq -r '.handlers[] | .name + " " + (.handler | ltrimstr("lambda_function."))' lambda-image.json)" \
  "$(lambda_routes)"

for fn in $(lambda_routes | cut -d' ' -f2) "$(jq -r '.dispatcher | ltrimstr("lambda_function.")' lambda-image.json)"; do
  check "lambda_function.sh defines $fn" "$fn" "$(command -v "$fn")"
done

error=$(echo '{"handler": "no_such_handler", "event": {}}' | lambda_handler 2>&1 >/dev/null)
check 'an unknown handler is refused with the valid ones named' \
  "UnknownHandlerError: unknown handler \"no_such_handler\": valid handlers are $(jq -r '[.handlers[].name] | join(", ")' lambda-image.json)" \
  "$error"

error=$(echo '{"event": {}}' | lambda_handler 2>&1 >/dev/null)
check 'a missing handler is refused' 'missing "handler"' "$(echo "$error" | grep -o 'missing "handler"')"

finish
