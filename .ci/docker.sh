# Sourced by .ci/run (idempotent): a Docker daemon for the end-to-end tests and the
# benchmarks. A fresh machine has no docker.io; one that has it may not run dockerd.
# Does nothing when `docker info` already answers.
if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  if ! docker info >/dev/null 2>&1; then
    # Outlives this script on purpose: the tests that follow need it.
    nohup dockerd >/var/log/dockerd.log 2>&1 &
    docker_waited=0
    until docker info >/dev/null 2>&1; do
      if [ "$docker_waited" -ge 60 ]; then
        echo "dockerd did not answer within 60 s; the end of /var/log/dockerd.log:" >&2
        tail -n 40 /var/log/dockerd.log >&2
        unset docker_waited
        return 1 2>/dev/null || exit 1
      fi
      sleep 1
      docker_waited=$((docker_waited + 1))
    done
    unset docker_waited
  fi
fi
docker version --format 'docker client {{.Client.Version}}, daemon {{.Server.Version}}'
