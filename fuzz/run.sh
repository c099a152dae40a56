#!/bin/sh
# Runs one fuzz target for a while, niced, on a scratch copy of its corpus,
# going on past crashes, timeouts and out-of-memory (each is saved under
# fuzz/artifacts/<target>/). Usage (from the repository):
#   fuzz/run.sh script_check 900        # 15 minutes
# Targets: script_check config_parse template_render report_export report_rows
# bundle_verify test_file
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the nightly flags it needs. More (replaying a
# crash, shrinking the corpus): docs/src/development/fuzzing.md.
set -eu
target=$1
seconds=${2:-600}
cd "$(dirname "$0")/.."
case $target in
    script_check) max_len=8192; dict=fuzz/dicts/script.dict ;;
    config_parse) max_len=4096; dict=fuzz/dicts/config.dict ;;
    template_render) max_len=2048; dict=fuzz/dicts/template.dict ;;
    report_export) max_len=16384; dict= ;;
    report_rows) max_len=4096; dict= ;;
    bundle_verify) max_len=16384; dict= ;;
    test_file) max_len=8192; dict=fuzz/dicts/script.dict ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
esac
work=${FUZZ_WORK:-/tmp/genvej-fuzz}/$target
mkdir -p "$work" "fuzz/artifacts/$target"
export RUSTC_BOOTSTRAP=1
# The report targets write a SQLite file per input: in memory it is 4x faster.
[ -d /dev/shm ] && export TMPDIR=${TMPDIR:-/dev/shm}
exec nice -n 19 cargo fuzz run -s none -a "$target" "$work" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" ${dict:+-dict="$dict"} \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="fuzz/artifacts/$target/" -print_final_stats=1
