# Sourced by bin/ringkv, bin/test and .ci/run: finds a JDK 25 or newer and exports JAVA_HOME and PATH.
# Order: $RINGKV_JAVA_HOME, $JAVA_HOME, then every JDK under /usr/lib/jvm (Temurin first).

ringkv_java_major() {
  # Prints the feature version of the JDK at $1 (e.g. 25), or nothing when $1 is not a JDK.
  local release="$1/release"
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

ringkv_find_jdk() {
  local candidate major
  for candidate in "${RINGKV_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-*-jdk* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    major=$(ringkv_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! RINGKV_JDK=$(ringkv_find_jdk); then
  echo "ringkv needs a JDK 25 or newer and found none." >&2
  echo "Looked at \$RINGKV_JAVA_HOME, \$JAVA_HOME and /usr/lib/jvm/*." >&2
  echo "Install one (e.g. Temurin 25) and set RINGKV_JAVA_HOME to its directory." >&2
  exit 1
fi
export JAVA_HOME="$RINGKV_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
