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
if (logy) { set logscale y } else { set yrange [0:*] }
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot datafile using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
         '' using 0:2:3:4 with yerrorbars lc rgb "black" pt 0
}
