# bars.gp - one bar per benchmark: the median, with min..p90 as whiskers.
# Data columns: label median min p90. Variables: datafile, outstem,
# plottitle, ylab, logy (1 for a logarithmic y axis).
load 'common.gp'   # found through GNUPLOT_LIB=plots/
set style fill solid 0.5 border -1
set boxwidth 0.6
set xtics rotate by -35 left
set ylabel ylab
set title plottitle
set key off
set bmargin 9
# A label, rotated, runs right of its tick by about 0.82 of its length (cos
# 35 degrees) in characters. Keep in the canvas the one that runs furthest
# past the last tick: over the rows in order, the running overrun shrinks by
# a bar's spacing each row, at least 80 characters (of the canvas's 130 or
# more, less the margins) over the bars.
stats datafile using 2 nooutput
bar_chars = 80.0 / STATS_records
overrun = 0
stats datafile using (w = 0.82 * strlen(strcol(1)), overrun = overrun - bar_chars > w ? overrun - bar_chars : w, 0) nooutput
set rmargin ceil(overrun) + 2
if (logy) { set logscale y } else { set yrange [0:*] }
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot datafile using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
         '' using 0:2:3:4 with yerrorbars lc rgb "black" pt 0
}
