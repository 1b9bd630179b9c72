#!/usr/bin/env bash
# tests/bench/questdb/build-jvm-connector.sh: build the JVM QuestDB Kafka connector
# (github.com/questdb/kafka-questdb-connector, not on Maven Central) into a Connect plugin dir,
# for bench_questdb.py's JVM comparison (KC_QUESTDB_JVM_PLUGIN_DIR).
#
#   build-jvm-connector.sh [SRC_DIR]
#
# Without SRC_DIR the source is cloned from the local mirror ($KC_QUESTDB_JVM_MIRROR, default
# /work/.mirror/questdb+kafka-questdb-connector/repo) at $KC_QUESTDB_JVM_REF (default: its newest
# v* tag, e.g. v0.23) into a temp dir. With SRC_DIR that checkout is built as it is (copied first,
# so the build does not write into it).
# The `connector` module is built with Maven (`mvn -B -q -pl connector -am package -DskipTests`,
# local repo $KC_CACHE/m2). Every repository the poms name (jitpack.io among them) is mirrored to
# Maven Central through a private settings.xml, so dependencies come from Maven Central only; the
# connector module's tests and test-scope dependencies are dropped first (tests are not built, and
# one of those dependencies lives only on jitpack.io).
# Output: $KC_CACHE/questdb-jvm-connector/<version>/kafka-questdb-connector/ holding the
# connector jar and its runtime dependencies (the questdb-client jar; no Kafka jars: those are
# `provided` by the worker). That <version> dir is the plugin.path entry; it is printed on stdout
# as KC_QUESTDB_JVM_PLUGIN_DIR=... . A second run for the same version reuses it (delete the dir
# to rebuild).
# Needs a JDK 17+ (javac); JAVA_HOME is passed through to Maven.
set -euo pipefail

KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
MIRROR=${KC_QUESTDB_JVM_MIRROR:-/work/.mirror/questdb+kafka-questdb-connector/repo}
OUT_BASE=$KC_CACHE/questdb-jvm-connector

log() { echo "build-jvm-connector.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

command -v mvn >/dev/null || die "mvn not found (run scripts/setup.sh)"
command -v git >/dev/null || die "git not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qdb-jvm-connector.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src

if [ $# -ge 1 ]; then
  [ -f "$1/connector/pom.xml" ] || die "$1 is not a kafka-questdb-connector checkout"
  cp -a "$1" "$src"
  ref=$(git -C "$src" describe --tags --always 2>/dev/null || echo local)
else
  [ -d "$MIRROR" ] || die "no mirror at $MIRROR (set KC_QUESTDB_JVM_MIRROR or pass SRC_DIR)"
  ref=${KC_QUESTDB_JVM_REF:-$(git -C "$MIRROR" tag --list 'v*' | sort -V | tail -n 1)}
  [ -n "$ref" ] || die "no v* tag in $MIRROR (set KC_QUESTDB_JVM_REF)"
  git clone -q --no-checkout "$MIRROR" "$src"
  git -C "$src" -c advice.detachedHead=false checkout -q "$ref"
fi

# The version Maven builds (the root pom's <version>, the connector's parent version).
version=$(sed -n '/<parent>/,/<\/parent>/s:.*<version>\(.*\)</version>.*:\1:p' \
  "$src/connector/pom.xml" | head -n 1)
[ -n "$version" ] || die "no parent version in connector/pom.xml"
out=$OUT_BASE/$version
if [ -f "$out/.complete" ]; then
  log "$version ($ref) already built in $out"
  echo "KC_QUESTDB_JVM_PLUGIN_DIR=$out"
  exit 0
fi
log "building kafka-questdb-connector $version ($ref) from ${1:-$MIRROR}"

# Drop the connector module's tests and test-scope dependencies (python3: a pom is XML, not
# lines).
rm -rf "$src/connector/src/test"
python3 - "$src/connector/pom.xml" <<'EOF'
import re, sys
p = sys.argv[1]
text = open(p).read()
deps = re.findall(r"[ \t]*<dependency>.*?</dependency>[ \t]*\n", text, re.S)
for d in deps:
    if "<scope>test</scope>" in d:
        text = text.replace(d, "", 1)
open(p, "w").write(text)
EOF

cat >"$tmp/settings.xml" <<'EOF'
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <mirrors>
    <mirror>
      <id>central-only</id>
      <mirrorOf>*</mirrorOf>
      <url>https://repo.maven.apache.org/maven2</url>
    </mirror>
  </mirrors>
</settings>
EOF

mkdir -p "$KC_CACHE/m2" "$OUT_BASE"
if ! (cd "$src" && mvn -B -q -Dstyle.color=never -s "$tmp/settings.xml" \
  -Dmaven.repo.local="$KC_CACHE/m2" -pl connector -am package -DskipTests) \
  >"$tmp/mvn.log" 2>&1; then
  tail -n 80 "$tmp/mvn.log" >&2
  die "maven build failed"
fi

# The module's assembly (src/main/assembly/package.xml): kafka-questdb-connector/ with the
# connector jar and its runtime-scope dependencies.
zip=$(ls "$src"/connector/target/kafka-questdb-connector-"$version"-bin.zip 2>/dev/null) ||
  die "no assembly zip in connector/target: $(ls "$src/connector/target")"
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
  "$zip" "$out.tmp"
[ -f "$out.tmp/kafka-questdb-connector/kafka-questdb-connector-$version.jar" ] ||
  die "the assembly has no kafka-questdb-connector-$version.jar"
if ls "$out.tmp"/kafka-questdb-connector/ | grep -E '^(kafka-clients|connect-)' >&2; then
  die "the plugin dir would hold Kafka's own jars"
fi
echo "$ref $(git -C "$src" rev-parse HEAD 2>/dev/null || echo -)" >"$out.tmp/VERSION"
touch "$out.tmp/.complete"
rm -rf "$out"
mv "$out.tmp" "$out"
log "plugin dir $out: $(ls "$out/kafka-questdb-connector" | tr '\n' ' ')"
echo "KC_QUESTDB_JVM_PLUGIN_DIR=$out"
