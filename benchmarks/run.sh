#!/usr/bin/env sh
# Builds and runs the Geneva benchmarks (a, b, c, d, e, f; a, b, d, e, f on threads and embedded Ray);
# flags go to BenchmarkMain (try --help; --only a,e and --executors ray select a subset).
# Exit code: 0 when every target is met, 1 when one is missed, 2 for a bad flag.
# Needs only JDK 17+ and Maven. The jar's manifest carries the --add-opens that Arrow and Lance
# need, so plain `java -jar` works; the memory benchmark passes the same flags to its child JVMs.
#   GENEVA_BENCH_SKIP_BUILD=1   reuse benchmarks/target/geneva-benchmarks.jar
#   GENEVA_BENCH_JAVA_OPTS      JVM options of the main process (default -Xmx2g)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/geneva-benchmarks.jar"
if [ "${GENEVA_BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  (cd "$here/.." && mvn -B -q -pl benchmarks -am -Pbench-jar package -DskipTests)
fi
# Lance's native code logs warnings (e.g. "DataReplacement is not stable yet") on stderr.
export LANCE_LOG="${LANCE_LOG:-error}"
exec java ${GENEVA_BENCH_JAVA_OPTS:--Xmx2g} -jar "$jar" "$@"
