#!/bin/sh
# docker/healthcheck.sh: the image's HEALTHCHECK. GET /health on the worker's first REST listener
# (CONNECT_LISTENERS, default http://:8083, the worker's own default), so the check follows a
# moved port. /health answers 200 once the worker has read its internal topics and joined its
# group (Kafka Connect's readiness endpoint, KIP-1017), 503 before that. A listener bound to all
# interfaces (empty host, 0.0.0.0, [::]) is asked on loopback.
l=${CONNECT_LISTENERS:-http://:8083}
l=${l%%,*}
hostport=${l#*://}
host=${hostport%:*}
port=${hostport##*:}
case $host in
"" | 0.0.0.0) host=127.0.0.1 ;;
"[::]") host="[::1]" ;;
esac
exec curl -fsSg -o /dev/null --max-time 3 "http://$host:$port/health"
