# axis.gp - figures vs a case's own axis (the parent's VMAs, threads or fds,
# the number of forkers), log-log: one line per case. Data: column 1 the
# axis value, then nseries columns, each headed by its case's name.
# Variables: datafile, nseries, outstem, xlab, ylab, plottitle, and plotted
# (the columns with a point, from render/plot.c: an empty one would warn).
load 'common.gp'   # found through GNUPLOT_LIB=plots/
set logscale xy
set xlabel xlab
set ylabel ylab
set title plottitle
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot for [i=1:|plotted|] datafile using 1:plotted[i] with linespoints lw 2 lc plotted[i]-1 pt plotted[i]-1 \
         title columnheader(plotted[i])
}
