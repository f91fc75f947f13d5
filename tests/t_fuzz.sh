#!/usr/bin/env bash
# t_fuzz — the libFuzzer harnesses of fuzz/ (one per parser of outside
# input, fuzz/fuzz_*.c) build with clang and survive a short run under
# ASan/UBSan/LSan: each replays its seed corpus fuzz/corpus/<target>/ (real
# captures from Knot and kdig, the inputs fuzz/make_seeds.py writes, and
# the inputs of the crashes found so far) and then fuzzes
# FUZZ_SMOKE_SECONDS (default 3), with fuzz/<target>.dict as its
# dictionary where there is one.  `make fuzz` is the long
# run (tests/README.md).  Exit 77 without clang or clang's libFuzzer.
# The harnesses are built into $(dirname $RAIZ_BUILD)/fuzz (make B=...).
set -u
cd "$(dirname "$0")/.." || exit 2
command -v clang >/dev/null ||
	{ echo "SKIP: no clang (Debian: apt-get install clang libclang-rt-14-dev)"; exit 77; }
d=$(mktemp -d /tmp/raiz-t-fuzz.XXXXXX)
trap 'rm -rf "$d"' EXIT
cat >"$d/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }
EOF
clang -fsanitize=fuzzer,address,undefined -o "$d/probe" "$d/probe.c" >"$d/probe.log" 2>&1 ||
	{ echo "SKIP: clang cannot link libFuzzer (Debian: apt-get install libclang-rt-14-dev): $(head -n 1 "$d/probe.log")"; exit 77; }

b=$(dirname "${RAIZ_BUILD:-build/asan}")
make -s -j"$(nproc)" B="$b" fuzz-build >"$d/build.log" 2>&1 ||
	{ tail -n 40 "$d/build.log"; echo "FAIL: make B=$b fuzz-build"; exit 1; }

secs=${FUZZ_SMOKE_SECONDS:-3}
rc=0 n=0
for src in fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	n=$((n + 1))
	mkdir -p "$d/$t"
	seeds=() nseeds=0
	if [ -d "fuzz/corpus/$t" ]; then
		seeds=("fuzz/corpus/$t")
		nseeds=$(find "fuzz/corpus/$t" -type f | wc -l)
	fi
	[ "$nseeds" -gt 0 ] || echo "note: $t has no seed corpus (fuzz/corpus/$t/)"
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
	# the first directory takes what the run finds; the seeds are only read
	if "$b/fuzz/$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$d/crash-$t-" "$d/$t" "${seeds[@]}" >"$d/$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/$t.log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/$t.log")
		echo "ok    $t: $nseeds seeds replayed, $runs runs in ${secs}s ($rate/s)"
	else
		rc=1
		grep -v '^INFO\|^#' "$d/$t.log" | tail -n 50
		for c in "$d"/crash-"$t"-*; do
			[ -e "$c" ] && cp "$c" "$b/fuzz/" && echo "input kept: $b/fuzz/$(basename "$c")"
		done
		echo "FAIL  $t (replay: $b/fuzz/$t FILE)"
	fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no harness in fuzz/"; exit 1; }
exit $rc
