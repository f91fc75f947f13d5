#!/bin/sh
# t_differential_xfr -- the differential test (t_differential.py) with
# raiz-dnsd holding "example." as a secondary zone, transferred from a Knot
# primary (AXFR with TSIG), compared against NSD serving the signed file.
exec "$(dirname "$0")/t_differential.py" --xfr knot "$@"
