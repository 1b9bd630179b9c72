# scripts/build-common.sh: what scripts/build-lib*.sh share, sourced by each (not run). A library
# is built once per cache into its own prefix, from a source archive pinned by sha256, and the
# install is moved into place in one step, so an interrupted build never looks finished.
#
#   kc_build_begin NAME PREFIX PC   log as NAME; when PREFIX/lib/pkgconfig/PC is there print
#                                   PREFIX and exit, else take the cache's lock for NAME (one
#                                   build at a time: the loser waits, then finds it done)
#   kc_fetch_pinned FILE SHA256 URL...
#                                   FILE (in $KC_CACHE/downloads) with that checksum: kept from
#                                   an earlier run, else downloaded from the first URL that
#                                   answers; a wrong checksum is removed and fails the build
#   kc_build_finish STAGED PREFIX   move the staged install STAGED to PREFIX, print PREFIX
#
# Needs KC_CACHE set by the caller.

kc_build_begin() {
  KC_BUILD_NAME=$1
  local prefix=$2 pc=$3
  if [ -f "$prefix/lib/pkgconfig/$pc" ]; then
    echo "$prefix"
    exit 0
  fi
  mkdir -p "$KC_CACHE/downloads"
  exec 9>"$KC_CACHE/downloads/.$KC_BUILD_NAME.lock"
  flock 9
  if [ -f "$prefix/lib/pkgconfig/$pc" ]; then # built while we waited
    echo "$prefix"
    exit 0
  fi
}

log() { echo "$KC_BUILD_NAME: $*" >&2; }

kc_fetch_pinned() {
  local file=$1 sha=$2 url
  shift 2
  if [ -f "$file" ] && echo "$sha  $file" | sha256sum -c --status 2>/dev/null; then
    return 0
  fi
  for url in "$@"; do
    log "downloading $url"
    if curl -fsSL --retry 3 --connect-timeout 20 --max-time 600 -o "$file.part" "$url"; then
      if echo "$sha  $file.part" | sha256sum -c --status; then
        mv "$file.part" "$file"
        return 0
      fi
      log "sha256 mismatch for $url: got $(sha256sum "$file.part" | cut -d' ' -f1)"
      rm -f "$file.part"
      exit 1
    fi
  done
  log "download of $(basename "$file") failed"
  rm -f "$file.part"
  exit 1
}

kc_build_finish() {
  local staged=$1 prefix=$2
  rm -rf "$prefix.tmp" "$prefix" # a tree without its .pc: an install cut short
  mv "$staged" "$prefix.tmp"
  mv "$prefix.tmp" "$prefix"
  log "done: $prefix"
  echo "$prefix"
}
