#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: the same CMake build as ci/fuzz (fuzz/CMakeLists.txt,
# SIOCONF_FUZZ=ON, one executable per fuzz/fuzz_*.cc), with the compiler and flags the environment
# gives ($CC, $CXX, $CFLAGS, $CXXFLAGS: sanitizer and coverage flags included; $LIB_FUZZING_ENGINE),
# then each target, its .dict, .options and <target>_seed_corpus.zip into $OUT.
cd "$SRC/sioconf"

# The Debian/Ubuntu libraries the targets link (simdjson) are built against libstdc++; OSS-Fuzz
# adds -stdlib=libc++ by default, which would not link with them.
CXXFLAGS=${CXXFLAGS//-stdlib=libc++/}
export CXXFLAGS

# fuzz/CMakeLists.txt links each target with -fsanitize=fuzzer, which is what $LIB_FUZZING_ENGINE
# is for the libFuzzer engine (the only engine project.yaml enables).
if [[ $LIB_FUZZING_ENGINE != -fsanitize=fuzzer ]]; then
  echo "build.sh: engine '$LIB_FUZZING_ENGINE' is not supported yet (fuzz/CMakeLists.txt links -fsanitize=fuzzer)" >&2
fi

build=$WORK/sioconf-build
# Shared libraries the runner image lacks are copied next to the targets ($OUT/lib, rpath).
cmake -S . -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_BUILD_RPATH="\$ORIGIN/lib" \
  -DSIOCONF_FUZZ=ON -DSIOCONF_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" -DSIOCONF_SANITIZE= -DSIOCONF_WERROR=OFF \
  -DSIOCONF_BUILD_TESTS=OFF -DBUILD_TESTING=OFF

targets=()
for source in fuzz/fuzz_*.cc; do
  targets+=("$(basename "$source" .cc)")
done
cmake --build "$build" --target "${targets[@]}" -j"$(nproc)"

mkdir -p "$OUT/lib"
for t in "${targets[@]}"; do
  cp "$build/fuzz/$t" "$OUT/"
  [[ -f fuzz/$t.dict ]] && cp "fuzz/$t.dict" "$OUT/"
  [[ -f fuzz/$t.options ]] && cp "fuzz/$t.options" "$OUT/"
  # Seeds and every regression input: the fuzzers start from both.
  seeds=()
  for dir in corpus/fuzz/$t corpus/regressions/$t; do
    [[ -d $dir ]] && seeds+=("$dir")
  done
  if ((${#seeds[@]})); then
    rm -f "$OUT/${t}_seed_corpus.zip"
    zip -q -j "$OUT/${t}_seed_corpus.zip" $(find "${seeds[@]}" -maxdepth 1 -type f)
  fi
  ldd "$build/fuzz/$t" | awk '/libsimdjson|libuv/ {print $3}' | while read -r lib; do
    [[ -f $lib ]] && cp -L "$lib" "$OUT/lib/"
  done
done
