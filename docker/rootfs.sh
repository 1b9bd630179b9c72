#!/bin/sh
# docker/rootfs.sh ROOT PROGRAM...: the runtime file system of the connect-c image, run in the
# Dockerfile's build stage.
#
# Why not `FROM debian:bookworm-slim` for the last stage: that base alone is ~75 MB before the
# worker is added, and the image is meant to stay under 50 MB. The last stage is `FROM scratch`
# with this tree, which holds Debian bookworm's own files (the build stage is bookworm-slim),
# only the ones the programs load:
#   - each PROGRAM at its path, plus every shared library ldd resolves for it, plus the loader;
#   - /bin/sh (dash), so `CMD-SHELL` healthchecks and `sh -c` commands of compose files work;
#   - /etc/passwd and /etc/group with appuser (1000:1000, as in the Confluent and Apache Kafka
#     images), /etc/nsswitch.conf, the CA bundle where OpenSSL and libcurl look for it, /tmp;
#   - merged-/usr symlinks (/bin, /lib, /lib64, /sbin -> usr/...) as in Debian 12, and an
#     ld.so.cache built for exactly these libraries.
set -eu
root=$1
shift
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64" "$root/etc" \
  "$root/tmp" "$root/home/appuser"
for d in bin sbin lib lib64; do
  [ -e "$root/$d" ] || ln -s "usr/$d" "$root/$d"
done
chmod 1777 "$root/tmp"

# copy FILE into the tree at the same path, following symlinks to the real file but keeping the
# name the loader asks for (libfoo.so.1)
put() {
  [ -e "$root$1" ] && return 0
  mkdir -p "$root$(dirname "$1")"
  cp -L "$1" "$root$1"
}

for prog in "$@" /bin/dash; do
  put "$prog"
  # "libx.so.1 => /path (0x...)" and the loader's own "/lib64/ld-linux-x86-64.so.2 (0x...)"
  libs=$(ldd "$prog" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
  for lib in $libs; do
    put "$lib"
  done
done
ln -sf dash "$root/usr/bin/sh"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
appuser:x:1000:1000::/home/appuser:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
appuser:x:1000:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
chown 1000:1000 "$root/home/appuser"

# Debian's OpenSSL looks in /usr/lib/ssl (certs -> /etc/ssl/certs), libcurl and librdkafka's
# probe in /etc/ssl/certs/ca-certificates.crt
mkdir -p "$root/etc/ssl/certs" "$root/usr/lib/ssl"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
ln -sf /etc/ssl/certs "$root/usr/lib/ssl/certs"
ln -sf /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"

ldconfig -r "$root"
# every program must start inside the tree with nothing from outside it (a missing library is
# the loader's exit status 127)
for prog in "$@"; do
  rc=0
  chroot "$root" "$prog" --help >/dev/null 2>&1 || rc=$?
  if [ "$rc" -ge 126 ]; then
    chroot "$root" "$prog" --help >&2 || true
    echo "rootfs.sh: $prog does not run inside $root (exit $rc)" >&2
    exit 1
  fi
done
