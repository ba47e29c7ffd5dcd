#!/bin/sh
# /lambda-entrypoint.sh of the test base images, with the contract of the real
# public.ecr.aws/lambda images: the handler (the image's CMD, or a function's
# ImageConfig.Command) is the one argument, exported as _HANDLER; anything else exits 142.
# Outside Lambda (no AWS_LAMBDA_RUNTIME_API) the Runtime Interface Emulator serves the
# invoke API on :8080 and runs the runtime behind it; inside Lambda the runtime runs alone.
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
