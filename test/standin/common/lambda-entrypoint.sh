#!/bin/sh
# Stand-in for public.ecr.aws/lambda's /lambda-entrypoint.sh (test infrastructure):
# the handler (the image's CMD) is the single argument; without it, exit 142 as the
# real one does. Outside Lambda (no AWS_LAMBDA_RUNTIME_API) the emulator serves the
# invoke API on :8080; inside, the runtime talks to the Runtime API.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie "$RUNTIME_ENTRYPOINT"
else
  exec "$RUNTIME_ENTRYPOINT"
fi
