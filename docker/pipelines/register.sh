#!/bin/sh
# docker/pipelines/register.sh URL DIR: registers every DIR/<name>.json as connector <name> with
# `PUT URL/connectors/<name>/config`, the way the users' compose files do it at start-up, once
# `GET URL/connectors` answers 200. `${VAR:-default}` in a file is expanded from the environment,
# so one file serves compose (service names: clickhouse, questdb, minio) and a host-network run
# (127.0.0.1 ports). The files must hold no other `$`, backquote or backslash.
#
# It needs only sh and curl: it runs inside the connect-c image (`entrypoint: ["/bin/sh",
# "/pipelines/register.sh", ...]`), whose FROM-scratch tree has dash and curl and nothing else (no
# cat, sed or sleep), so files are read with the shell's own `read`.
set -eu
url=${1:?usage: register.sh CONNECT_URL DIR}
dir=${2:?usage: register.sh CONNECT_URL DIR}

slurp() {
  b=
  while IFS= read -r l || [ -n "$l" ]; do
    b="$b$l
"
  done
  printf '%s' "$b"
}

# The worker answers GET /connectors once it has read its internal topics.
curl -fsS -o /dev/null --retry 90 --retry-delay 2 --retry-connrefused --retry-all-errors \
  --max-time 10 "$url/connectors"

for f in "$dir"/*.json; do
  [ -f "$f" ] || continue
  name=${f##*/}
  name=${name%.json}
  raw=$(slurp <"$f")
  # an unquoted here-document expands ${VAR:-default}
  eval "body=\$(slurp <<__CONNECTOR_JSON__
$raw
__CONNECTOR_JSON__
)"
  printf 'register.sh: PUT %s/connectors/%s/config\n' "$url" "$name"
  code=$(curl -sS -o /dev/stderr -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data-binary "$body" "$url/connectors/$name/config")
  printf '\nregister.sh: %s -> HTTP %s\n' "$name" "$code"
  case $code in 200 | 201) ;; *) exit 1 ;; esac
done
