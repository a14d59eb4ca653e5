# memory.gp - figures vs the parent's resident memory, log-log: one line per
# series, 4k solid and thp dashed. Data: column 1 MiB, then nseries columns
# in 4k mode, then the same series in thp mode, each headed by its name.
# Variables: datafile, nseries, outstem, ylab, plottitle.
load 'common.gp'   # found through GNUPLOT_LIB=plots/
set logscale xy
set xlabel "parent resident memory (MiB)"
set ylabel ylab
set title plottitle
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot for [c=2:1+nseries] datafile using 1:c with linespoints lw 2 lc c-1 dt 1 title columnheader(c), \
         for [c=2+nseries:1+2*nseries] datafile using 1:c with linespoints lw 2 lc c-1-nseries dt 2 title columnheader(c)
}
