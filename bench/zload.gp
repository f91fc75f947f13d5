# bench/zload.gp -- zone load time and RSS against zone size, one line per
# server, from the data bench/zload --plot FILE.png writes to FILE.dat:
#   gnuplot -e "datafile='F.dat'; outfile='F.png'; servers='raiz knot nsd'" bench/zload.gp
# FILE.dat: one line per zone size: delegations, then for each server in
# the order of `servers`: start to first answer (s), peak RSS during the
# load (MiB), steady RSS (MiB).  NSD's RSS is the sum over its processes.
if (!exists("datafile")) datafile = 'zload.dat'
if (!exists("outfile")) outfile = 'zload.png'
if (!exists("servers")) servers = 'raiz knot nsd'
set terminal png size 1200,480
set output outfile
set datafile missing '-'
set logscale xy
set grid
set xlabel "delegations (signed NSEC3 opt-out zone)"
set xtics ("10k" 10000, "30k" 30000, "100k" 100000, "300k" 300000, "1M" 1000000, "3M" 3000000)
set key top left
set multiplot layout 1,2 title "bench/zload: raiz-dnsd, Knot, NSD, one worker each"
set ylabel "start to first answer (s)"
plot for [i=1:words(servers)] datafile using 1:(column(3*i-1)) with linespoints lw 2 pt 7 lc i \
     title word(servers, i)
set ylabel "RSS (MiB; NSD: sum of its processes)"
plot for [i=1:words(servers)] datafile using 1:(column(3*i+1)) with linespoints lw 2 pt 7 lc i \
     title word(servers, i)." steady", \
     for [i=1:words(servers)] datafile using 1:(column(3*i)) with linespoints lw 1 dt 2 pt 6 lc i \
     title word(servers, i)." peak at load"
unset multiplot
