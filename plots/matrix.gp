# matrix.gp - `forkbench matrix`: fork's cost per GiB of parent memory, one
# cluster of bars per run (4 KiB pages, THP). Data: a header line "run" and
# the quoted series names, then per run its quoted id and one value per
# series ('?' when the run has none). Variables: datafile, outstem,
# nseries, plottitle, ylab.
load 'common.gp'   # found through GNUPLOT_LIB=plots/
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set xtics rotate by -35 left
set ylabel ylab
set title plottitle
set bmargin 9
# The bars start at 0; a slope that noise made negative still shows.
set yrange [*<0:*]
colors = "#4477aa #ee6677 #228833 #ccbb44"
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot for [i=2:nseries+1] datafile using i:xtic(1) title columnheader(i) lc rgb word(colors, i - 1)
}
