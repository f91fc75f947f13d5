#!/bin/sh
# t_differential_large -- the differential test (t_differential.py) on one
# large ccTLD-like zone: 50,000 delegations made as bench/zload makes its
# 1,000,000-delegation zone (2 NS each, a tenth with in-zone glue, DS on a
# third, NSEC3 opt-out), signed here, served by raiz-dnsd and NSD, and
# queried at a sample of every kind of name in it (tests/lib/zonesample.py).
# The same test on bench/zload's 1M zone:
#   tests/t_differential.py --zone build/bench-cache/zload-1000000-*/example.zone.signed --timeout 300
exec "$(dirname "$0")/t_differential.py" --large 50000 --per-kind 600 "$@"
