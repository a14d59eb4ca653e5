# memory.gp - figures vs the parent's resident memory, log-log: one line per
# series, 4k solid and thp dashed. Data: column 1 MiB, then nseries columns
# in 4k mode, then the same series in thp mode, each headed by its name.
# Variables: datafile, nseries, outstem, ylab, plottitle, and plotted (the
# columns with a point, from render/plot.c: an empty one would warn).
load 'common.gp'   # found through GNUPLOT_LIB=plots/
set logscale xy
set xlabel "parent resident memory (MiB)"
set ylabel ylab
set title plottitle
# Column c's page mode (the thp half follows the 4k one) and its series,
# one colour in both modes (dash type 1: solid, 2: dashed); each column
# keeps its point type when another is left out.
thp(c) = c > 1 + nseries
series(c) = thp(c) ? c - 1 - nseries : c - 1
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot for [i=1:|plotted|] datafile using 1:plotted[i] with linespoints lw 2 lc series(plotted[i]) pt plotted[i]-1 \
         dt 1 + thp(plotted[i]) title columnheader(plotted[i])
}
