# Sourced by .ci/run (idempotent): the AWS SAM CLI, for test/engines/sam-cli.test.ts (sam validate --lint,
# sam build, sam local invoke on a generated --deploy sam project). From PyPI into a venv of its own:
# its pinned dependencies (cfn-lint, boto3, docker...) must not meet the machine's python3 packages
# (moto, cfn-lint) the other tests use. The venv is kept under ~/.cache: a warm run costs nothing.
SAM_CLI_VERSION=1.170.0
SAM_CLI_VENV="${SAM_CLI_VENV:-$HOME/.cache/sam-cli/venv}"
if ! "$SAM_CLI_VENV/bin/sam" --version 2>/dev/null | grep -qF "version $SAM_CLI_VERSION"; then
  # Debian's python3 has the venv module but not ensurepip, which python3-venv brings.
  python3 -c 'import ensurepip' >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  }
  rm -rf "$SAM_CLI_VENV"
  python3 -m venv "$SAM_CLI_VENV"
  "$SAM_CLI_VENV/bin/pip" install --quiet --disable-pip-version-check "aws-sam-cli==$SAM_CLI_VERSION"
fi
# Not the venv's bin on PATH: its python3 would hide the machine's. The test reads SAM_CLI.
export SAM_CLI="$SAM_CLI_VENV/bin/sam"
"$SAM_CLI" --version
unset SAM_CLI_VERSION SAM_CLI_VENV
