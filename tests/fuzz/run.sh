#!/bin/sh
# tests/fuzz/run.sh - one libFuzzer harness: every input of its corpus, then new inputs for SECONDS; fails on a crash, leak, timeout or sanitizer report.
# Usage: sh tests/fuzz/run.sh NAME [SECONDS]  (make test: 30, make fuzz: FUZZ_SECONDS)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
name=$1
secs=${2:-30}
bin=$top/build/fuzz/$name
seeds=$top/tests/fuzz/corpus/$name
work=$top/build/fuzz/work/$name		# what the runs find, kept between runs
log=$top/build/fuzz/$name.log
mkdir -p "$work" "$top/build/fuzz/tmp"
if ! make -C "$top" --no-print-directory -s "build/fuzz/$name" > "$log.build" 2>&1; then
	cat "$log.build"
	echo "not ok - $name: the harness does not build"
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# leaks of libraries outside this tree, each with why (tests/fuzz/NAME.lsan)
[ -f "$top/tests/fuzz/$name.lsan" ] && export LSAN_OPTIONS="suppressions=$top/tests/fuzz/$name.lsan"
opts="-timeout=10 -rss_limit_mb=2048 -artifact_prefix=$work/ -print_final_stats=1"
# a harness's own options (e.g. -max_len), one line
[ -f "$top/tests/fuzz/$name.options" ] && opts="$opts $(cat "$top/tests/fuzz/$name.options")"

# every kept input once (the crashes found so far among them)
n=$(ls "$seeds" | wc -l)
if "$bin" $opts -runs=0 "$seeds" > "$log" 2>&1; then
	echo "ok - $name: the $n inputs of tests/fuzz/corpus/$name run clean"
else
	tail -n 40 "$log"
	echo "not ok - $name: an input of tests/fuzz/corpus/$name fails"
	exit 1
fi

# new inputs for SECS seconds, from the corpus and what earlier runs found
if "$bin" $opts -max_total_time="$secs" "$work" "$seeds" > "$log" 2>&1; then
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	echo "ok - $name: $secs s, $runs runs ($rate/s), cov $cov, ft $ft, no crash, leak or sanitizer report"
else
	tail -n 60 "$log"
	echo "not ok - $name: a crash, leak or sanitizer report (input in build/fuzz/work/$name/, log $log)"
	exit 1
fi
