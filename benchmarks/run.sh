#!/usr/bin/env sh
# Builds (if needed) and runs the Geneva benchmarks. Flags go to BenchmarkMain; try --help.
# The jar's manifest carries the --add-opens Arrow and Lance need, so plain `java -jar` works.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/geneva-benchmarks.jar"
if [ ! -f "$jar" ] || [ "${GENEVA_BENCH_REBUILD:-0}" = 1 ]; then
  (cd "$here/.." && mvn -B -q -pl benchmarks -am package -DskipTests)
fi
export LANCE_LOG="${LANCE_LOG:-error}"
exec java ${GENEVA_BENCH_JAVA_OPTS:--Xmx2g} -jar "$jar" "$@"
