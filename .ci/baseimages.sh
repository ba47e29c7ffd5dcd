# Sourced by .ci/run (idempotent): what test/support/baseimages.ts needs to build the test base
# images from the real Lambda parts on this machine:
# - Go >= 1.25 for `go install` of the Runtime Interface Emulator (the machine image has it;
#   Debian 12's golang-go is 1.19, too old);
# - dpkg-deb, apt-get and the Debian archive keyring for the root file systems (bookworm,
#   trixie and sid packages);
# - cmake, make, g++ and autotools: aws-lambda-ric's install scripts compile curl and
#   aws-lambda-cpp for its native addon (autoreconf for the 3.x client of Node 20);
# - pip (awslambdaric's wheels) and Maven (the Java runtime interface client).
base_need=()
for tool in cmake make g++ autoreconf libtoolize automake; do command -v "$tool" >/dev/null 2>&1 || base_need+=("$tool"); done
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || base_need+=(debian-archive-keyring)
command -v mvn >/dev/null 2>&1 || base_need+=(maven)
command -v pip >/dev/null 2>&1 || base_need+=(python3-pip)
if [ ${#base_need[@]} -gt 0 ]; then
  # Commands named by their package: autoreconf is autoconf's, libtoolize libtool's.
  base_pkgs=()
  for tool in "${base_need[@]}"; do
    case "$tool" in
      autoreconf) base_pkgs+=(autoconf) ;;
      libtoolize) base_pkgs+=(libtool) ;;
      *) base_pkgs+=("$tool") ;;
    esac
  done
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${base_pkgs[@]}" >/dev/null
  unset base_pkgs
fi
unset base_need tool
if ! go version 2>/dev/null | grep -Eq 'go1\.(2[5-9]|[3-9][0-9])'; then
  echo "the test base images need Go >= 1.25 on PATH to build the Runtime Interface Emulator; found: $(go version 2>&1)" >&2
  return 1 2>/dev/null || exit 1
fi
