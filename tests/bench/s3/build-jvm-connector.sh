#!/usr/bin/env bash
# tests/bench/s3/build-jvm-connector.sh: build Aiven's S3 sink connector
# (io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector, github.com/Aiven-Open/
# cloud-storage-connectors-for-apache-kafka; not on Maven Central, built with Gradle) into a
# Connect plugin dir, for bench_s3.py's JVM comparison (KC_S3_JVM_PLUGIN_DIR).
#
#   build-jvm-connector.sh
#
# Sources: the Aiven mirror ($KC_S3_JVM_MIRROR, default
# /work/.mirror/Aiven-Open+cloud-storage-connectors-for-apache-kafka/repo) at $KC_S3_JVM_REF
# (default v3.4.2), and Confluent's schema-registry mirror ($KC_S3_JVM_CONFLUENT_MIRROR, default
# /work/.mirror/confluentinc+schema-registry/repo) at the avro-data version of the Aiven
# build's settings.gradle.kts (7.2.2): io.confluent:kafka-connect-avro-data lives only on
# Confluent's repository.
# No Gradle: (1) the third-party runtime dependencies of the commons, s3-commons and
# s3-sink-connector modules (their build.gradle.kts, versions from settings.gradle.kts, the same
# exclusions) come from Maven Central through one generated pom (`dependency:copy-dependencies`,
# local repo $KC_CACHE/m2, every repository mirrored to Maven Central); Kafka's and slf4j's jars
# are left out (the worker provides them); (2) javac compiles the io.confluent classes the Aiven
# code uses (AvroData, AvroDataConfig, NonRecordContainer) and what they reference from the
# schema-registry sources; (3) javac (--release 11, as the Gradle build) compiles the three Aiven
# modules' main sources against those jars, the Kafka 3.3.1 jars the Gradle build compiles
# against (Maven Central, not shipped) and the Connect 4.1.0 worker's jars
# ($KC_CACHE/connect-4.1.0/lib, made by tests/integration/services.sh fetch when missing), and
# copies their resources (the version file expanded as Gradle does).
# Output: $KC_CACHE/s3-jvm-connector/<version>/s3-sink-connector-for-apache-kafka/ with the
# connector's jars and dependencies. That <version> dir is the plugin.path entry; it is printed on
# stdout as KC_S3_JVM_PLUGIN_DIR=... . A second run for the same version reuses it (delete the
# dir to rebuild). Needs mvn, git and a JDK 17+.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
MIRROR=${KC_S3_JVM_MIRROR:-/work/.mirror/Aiven-Open+cloud-storage-connectors-for-apache-kafka/repo}
REF=${KC_S3_JVM_REF:-v3.4.2}
CONFLUENT_MIRROR=${KC_S3_JVM_CONFLUENT_MIRROR:-/work/.mirror/confluentinc+schema-registry/repo}
KAFKA_VERSION=4.1.0 # the JVM worker of tests/integration/services.sh
CONNECT_LIB=$KC_CACHE/connect-$KAFKA_VERSION/lib
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
OUT_BASE=$KC_CACHE/s3-jvm-connector
PLUGIN=s3-sink-connector-for-apache-kafka

log() { echo "build-jvm-connector.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

for t in mvn git javac jar; do
  command -v $t >/dev/null || die "$t not found (run scripts/setup.sh)"
done
[ -d "$MIRROR" ] || die "no Aiven mirror at $MIRROR (set KC_S3_JVM_MIRROR)"
[ -d "$CONFLUENT_MIRROR" ] || die "no schema-registry mirror at $CONFLUENT_MIRROR" \
  "(set KC_S3_JVM_CONFLUENT_MIRROR)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/s3-jvm-connector.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/aiven
git -C "$MIRROR" rev-parse -q --verify "$REF^{commit}" >/dev/null || die "no $REF in $MIRROR"
git clone -q --no-checkout "$MIRROR" "$src"
git -C "$src" -c advice.detachedHead=false checkout -q "$REF"

version=$(sed -n 's/^version=//p' "$src/gradle.properties")
[ -n "$version" ] || die "no version in gradle.properties"
out=$OUT_BASE/$version
if [ -f "$out/.complete" ]; then
  log "$version ($REF) already built in $out"
  echo "KC_S3_JVM_PLUGIN_DIR=$out"
  exit 0
fi
log "building Aiven S3 sink $version ($REF)"

# gv NAME: `val NAME by extra("X")` of settings.gradle.kts
gv() {
  local v
  v=$(sed -n "s/^val $1 by extra(\"\([^\"]*\)\").*/\1/p" "$src/settings.gradle.kts")
  [ -n "$v" ] || die "no $1 in settings.gradle.kts"
  echo "$v"
}
confluent_version=$(gv avroDataVersion)

if [ ! -f "$CONNECT_LIB/.complete" ]; then
  log "no Connect $KAFKA_VERSION jars: services.sh fetch"
  "$REPO/tests/integration/services.sh" fetch >&2
fi

# (1) Third-party runtime jars. hadoop-common's exclusions are those of the modules'
# build.gradle.kts (all three list the same); parquet-avro's too. Guava: the version of
# Confluent's common-parent 7.2.2 (kafka-avro-serializer's, the only dependency that brings it).
# Jackson: Gradle takes the highest version asked for (aws-java-sdk-core's 2.17.2), Maven the
# nearest (avro's 2.14.2), so it is pinned.
excl() { printf '<exclusion><groupId>%s</groupId><artifactId>%s</artifactId></exclusion>' "$1" "${2:-*}"; }
hadoop_excl=$(
  for ga in org.apache.hadoop.thirdparty:hadoop-shaded-protobuf_3_7 com.google.guava:guava \
    commons-cli:commons-cli org.apache.commons:commons-math3 \
    org.apache.httpcomponents:httpclient commons-codec:commons-codec commons-io:commons-io \
    commons-net:commons-net org.eclipse.jetty org.eclipse.jetty.websocket javax.servlet \
    javax.servlet.jsp javax.activation com.sun.jersey log4j org.apache.commons:commons-text \
    org.slf4j:slf4j-api org.apache.hadoop:hadoop-auth org.apache.hadoop:hadoop-yarn-api \
    com.google.re2j com.google.protobuf com.google.code.gson com.jcraft org.apache.curator \
    org.apache.zookeeper org.apache.htrace com.google.code.findbugs org.apache.kerby \
    com.fasterxml.jackson.core org.apache.avro:avro org.apache.hadoop:hadoop-yarn-common \
    com.google.inject.extensions:guice-servlet io.netty:netty; do
    excl "${ga%%:*}" "$([[ $ga == *:* ]] && echo "${ga#*:}")"
  done
)
dep() { # dep G:A:V [EXCLUSIONS-XML]
  local g a v
  IFS=: read -r g a v <<<"$1"
  echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version>"
  [ -z "${2:-}" ] || echo "<exclusions>$2</exclusions>"
  echo "</dependency>"
}
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
  echo '<groupId>local.connect-c.bench</groupId><artifactId>aiven-s3-sink-deps</artifactId>'
  echo '<version>1</version><packaging>pom</packaging>'
  echo '<dependencyManagement><dependencies>'
  echo '<dependency><groupId>com.fasterxml.jackson</groupId><artifactId>jackson-bom</artifactId>'
  echo '<version>2.17.2</version><type>pom</type><scope>import</scope></dependency>'
  echo '</dependencies></dependencyManagement><dependencies>'
  dep "org.apache.avro:avro:$(gv avroVersion)"
  dep "com.google.guava:guava:30.1.1-jre"
  dep "jakarta.validation:jakarta.validation-api:3.1.1"
  dep "com.github.spotbugs:spotbugs-annotations:$(gv spotbugsAnnotationsVersion)"
  dep "org.xerial.snappy:snappy-java:$(gv snappyVersion)"
  dep "com.github.luben:zstd-jni:$(gv zstdVersion)"
  dep "commons-io:commons-io:$(gv commonsIOVersion)"
  dep "org.apache.commons:commons-text:$(gv commonsTextVersion)"
  dep "org.apache.commons:commons-collections4:$(gv commonsCollections4Version)"
  dep "org.apache.parquet:parquet-avro:$(gv parquetVersion)" \
    "$(excl org.xerial.snappy snappy-java)$(excl org.slf4j slf4j-api)$(excl org.apache.avro avro)"
  dep "org.apache.hadoop:hadoop-common:$(gv hadoopVersion)" "$hadoop_excl"
  dep "com.amazonaws:aws-java-sdk-s3:$(gv amazonAwsSdkV1Version)"
  dep "com.amazonaws:aws-java-sdk-sts:$(gv amazonAwsSdkV1Version)"
  dep "software.amazon.awssdk:auth:$(gv amazonAwsSdkV2Version)"
  dep "software.amazon.awssdk:sts:$(gv amazonAwsSdkV2Version)"
  echo '</dependencies></project>'
} >"$tmp/pom.xml"
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
log "runtime dependencies from Maven Central"
if ! mvn -B -Dstyle.color=never -s "$tmp/settings.xml" -f "$tmp/pom.xml" \
  -Dmaven.repo.local="$KC_CACHE/m2" "$DEP_PLUGIN:copy-dependencies" \
  -DoutputDirectory="$tmp/deps" -DincludeScope=runtime \
  -DexcludeGroupIds=org.apache.kafka,org.slf4j,ch.qos.reload4j,log4j >"$tmp/mvn.log" 2>&1; then
  tail -n 60 "$tmp/mvn.log" >&2
  die "maven failed"
fi

# Kafka's jars to compile against, not shipped: those of the Gradle build (compileOnly
# connect-runtime and connect-json at kafkaVersion 3.3.1, whose connect-api and kafka-clients
# win over kafkaAPIVersion 1.1.0), since Kafka 4 dropped WorkerConfig constants the code uses
# (compile-time constants, so the classes still run in the 4.1.0 worker).
kafka_compile=$(gv kafkaVersion)
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
  echo '<groupId>local.connect-c.bench</groupId><artifactId>aiven-s3-sink-compile</artifactId>'
  echo '<version>1</version><packaging>pom</packaging><dependencies>'
  for a in kafka-clients connect-api connect-json connect-runtime connect-transforms; do
    dep "org.apache.kafka:$a:$kafka_compile"
  done
  echo '</dependencies></project>'
} >"$tmp/compile-pom.xml"
if ! mvn -B -Dstyle.color=never -s "$tmp/settings.xml" -f "$tmp/compile-pom.xml" \
  -Dmaven.repo.local="$KC_CACHE/m2" "$DEP_PLUGIN:copy-dependencies" \
  -DoutputDirectory="$tmp/kafka" -DexcludeTransitive=true >"$tmp/mvn.log" 2>&1; then
  tail -n 60 "$tmp/mvn.log" >&2
  die "maven failed (Kafka $kafka_compile jars)"
fi

# (2) The io.confluent classes, from source: javac compiles the entry classes and, from
# -sourcepath, only what they reference.
csrc=$tmp/schema-registry
git -C "$CONFLUENT_MIRROR" rev-parse -q --verify "v$confluent_version^{commit}" >/dev/null ||
  die "no v$confluent_version in $CONFLUENT_MIRROR"
git clone -q --no-checkout "$CONFLUENT_MIRROR" "$csrc"
git -C "$csrc" -c advice.detachedHead=false checkout -q "v$confluent_version"
cp_compile="$tmp/kafka/*:$tmp/deps/*:$CONNECT_LIB/*"
spath=
for m in avro-data avro-serializer schema-converter schema-serializer client; do
  spath=$spath${spath:+:}$csrc/$m/src/main/java
done
mkdir -p "$tmp/classes/confluent"
log "io.confluent classes from schema-registry v$confluent_version"
javac -nowarn -Xlint:none -encoding UTF-8 --release 11 -proc:none -cp "$cp_compile" \
  -sourcepath "$spath" -d "$tmp/classes/confluent" \
  "$csrc/avro-data/src/main/java/io/confluent/connect/avro/AvroData.java" \
  "$csrc/avro-data/src/main/java/io/confluent/connect/avro/AvroDataConfig.java" \
  "$csrc/avro-serializer/src/main/java/io/confluent/kafka/serializers/NonRecordContainer.java" \
  2>"$tmp/javac.log" || {
  tail -n 60 "$tmp/javac.log" >&2
  die "javac failed (io.confluent)"
}
mkdir -p "$tmp/lib"
jar --create --file "$tmp/lib/kafka-connect-avro-data-$confluent_version-subset.jar" \
  -C "$tmp/classes/confluent" .

# (3) The Aiven modules, in dependency order.
cp_compile="$cp_compile:$tmp/lib/*"
for m in commons s3-commons s3-sink-connector; do
  mkdir -p "$tmp/classes/$m"
  find "$src/$m/src/main/java" -name '*.java' >"$tmp/$m.sources"
  log "$m: $(wc -l <"$tmp/$m.sources") sources"
  javac -nowarn -Xlint:none -encoding UTF-8 --release 11 -proc:none -cp "$cp_compile" \
    -d "$tmp/classes/$m" "@$tmp/$m.sources" 2>"$tmp/javac.log" || {
    tail -n 60 "$tmp/javac.log" >&2
    die "javac failed ($m)"
  }
  if [ -d "$src/$m/src/main/resources" ]; then
    cp -a "$src/$m/src/main/resources/." "$tmp/classes/$m/"
  fi
  # the version file, expanded as Gradle's processResources does
  vf=$tmp/classes/$m/$m-for-apache-kafka-version.properties
  [ ! -f "$vf" ] || sed -i "s/^version=.*/version=$version/" "$vf"
  name=$m-for-apache-kafka-connect
  [ "$m" != s3-sink-connector ] || name=s3-sink-connector-for-apache-kafka
  jar --create --file "$tmp/lib/$name-$version.jar" -C "$tmp/classes/$m" .
  cp_compile="$cp_compile:$tmp/classes/$m"
done

rm -rf "$out.tmp"
mkdir -p "$out.tmp/$PLUGIN"
cp "$tmp"/deps/*.jar "$tmp"/lib/*.jar "$out.tmp/$PLUGIN/"
if ls "$out.tmp/$PLUGIN" | grep -E '^(kafka-clients|connect-|slf4j-)' >&2; then
  die "the plugin dir would hold the worker's own jars"
fi
echo "$REF $(git -C "$src" rev-parse HEAD) schema-registry v$confluent_version" >"$out.tmp/VERSION"
touch "$out.tmp/.complete"
rm -rf "$out"
mv "$out.tmp" "$out"
log "plugin dir $out: $(ls "$out/$PLUGIN" | wc -l) jars"
echo "KC_S3_JVM_PLUGIN_DIR=$out"
