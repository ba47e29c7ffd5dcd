# Sourced by .ci/run (idempotent): what the deploy tests and bench (test/support/aws.ts) need
# besides docker (.ci/docker.sh): moto_server for STS/IAM/ECR/Lambda, Debian's docker-registry
# as the ECR registry, and openssl for its TLS certificate. The /etc/hosts line and
# /etc/docker/certs.d entry for the fake ECR hostname are made by test/support/aws.ts itself,
# so that a developer's machine gets them too.
aws_need=()
command -v docker-registry >/dev/null 2>&1 || aws_need+=(docker-registry)
command -v openssl >/dev/null 2>&1 || aws_need+=(openssl)
if [ ${#aws_need[@]} -gt 0 ]; then
  # The package's own service (on :5000) is not used; the tests start their own registry.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${aws_need[@]}" >/dev/null
fi
unset aws_need
if ! command -v moto_server >/dev/null 2>&1; then
  echo "moto_server is not on PATH: the deploy tests need moto 5 with its server (pip install 'moto[server]>=5.1,<6')" >&2
  return 1 2>/dev/null || exit 1
fi
