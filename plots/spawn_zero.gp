# spawn_zero.gp - the spawn primitives side by side at 0 MiB (4k): median as
# a bar, min..p90 as the error bar. Data columns: case median min p90 (us).
# Variables: datafile, outstem.
load 'common.gp'   # found through GNUPLOT_LIB=plots/
set style fill solid 0.5 border -1
set boxwidth 0.6
set xtics rotate by -35 left
set ylabel "round trip (us): bar median, whisker min..p90"
set title "Spawn primitives at 0 MiB, 4 KiB pages"
set key off
set yrange [0:*]
set bmargin 8
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot datafile using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
         '' using 0:2:3:4 with yerrorbars lc rgb "black" pt 0
}
