# Sourced by ./dynamo4j and scripts/test. Finds a JDK >= 21: JAVA_HOME first, then the java on
# PATH, then the newest under /usr/lib/jvm. Prints its home on stdout; returns 1 when none fits.

jdk_major() { # $1 = JDK home; prints the major version or nothing
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1)
  case "$v" in 1.*) v=${v#1.} ;; esac
  printf '%s' "${v%%.*}"
}

find_jdk() {
  local min=21 candidates=() c major best="" best_major=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c=$(readlink -f "$(command -v java)")
    candidates+=("${c%/bin/java}")
  fi
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ]; then
      major=$(jdk_major "$c")
      if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
        printf '%s' "$c"
        return 0
      fi
    fi
  done
  for c in /usr/lib/jvm/*; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(jdk_major "$c")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
      best=$c
      best_major=$major
    fi
  done
  [ -n "$best" ] && { printf '%s' "$best"; return 0; }
  return 1
}

# JVM options for running dynamo4j on the JDK at $1 (Netty and msgpack want Unsafe; jline wants
# native access). Prints them space-separated.
jdk_run_opts() {
  local major
  major=$(jdk_major "$1")
  printf '%s' "--enable-native-access=ALL-UNNAMED"
  if [ -n "$major" ] && [ "$major" -ge 23 ]; then
    printf ' %s' "--sun-misc-unsafe-memory-access=allow"
  fi
}

no_jdk_message() {
  cat >&2 <<'MSG'
dynamo4j needs a JDK 21 or newer, and none was found (checked JAVA_HOME, the java on PATH and /usr/lib/jvm).
Install one and run again, for example:
  apt-get install openjdk-21-jdk-headless     (Debian 13 "trixie" and newer)
  or a Temurin 21 or 25 JDK under /usr/lib/jvm, or set JAVA_HOME to any JDK >= 21.
MSG
}
