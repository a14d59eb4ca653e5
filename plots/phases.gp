# phases.gp - where a traced round trip's time goes: one horizontal bar per
# traced benchmark, its phases' medians stacked in the order they ran, as a
# share of their sum (so vfork's 26 us and a COW case's 5 ms both read),
# the round trip's span written at the bar's end. Data (render/phases_out.c):
#   index 0: bar label span_us            (one row per bar, label quoted)
#   index 1: bar phase_index phase start_us end_us start_pct end_pct
# Variables: datafile, outstem, nbars, nphases, phasenames (the phases'
# names, space-separated, in the order of their index), plottitle.
load 'common.gp'   # found through GNUPLOT_LIB=plots/
# As tall as the bars and the key's rows need: 17 bars read at 960x900.
height = 170 + 34 * nbars + 22 * ceil(nphases / 3.0)
render_svg = sprintf('set terminal svg noenhanced size 960,%d font "sans,12" background "white"; set output outstem.".svg"', height)
render_png = sprintf('set terminal pngcairo noenhanced size 960,%d font "sans,10" background "white"; set output outstem.".png"', height)
# One colour per phase name, the same phase the same colour in every bar.
# The first ones apart from each other: a run traces about 15 names.
colors = "#4477aa #ee6677 #228833 #ccbb44 #66ccee #aa3377 #bbbbbb #332288 #ee8866 #44aa99 " . \
         "#999933 #882255 #ddcc77 #77aadd #8c510a #117733 #cc6677 #aa4499 #dddddd #000000"
do for [i=1:words(colors)] { set linetype i lc rgb word(colors, i) }
set linetype cycle words(colors)
set style fill solid 0.85 border lc rgb "white"
set title plottitle
set xlabel "share of the round trip (%), phases in the order they ran; the traced span at the right"
set xrange [0:122]
set xtics 0, 20, 100
set yrange [nbars - 0.5:-0.5]
set grid noytics
set key below horizontal maxcols 3 maxrows ceil(nphases / 3.0) samplen 2 spacing 1.1 width -2
do for [fmt in "svg png"] {
    eval(fmt eq "svg" ? render_svg : render_png)
    plot datafile index 1 using (($6 + $7) / 2):1:6:7:($1 - 0.36):($1 + 0.36):2 \
             with boxxyerror lc variable notitle, \
         '' index 0 using (101):1:(sprintf("%.1f us", $3)):ytic(2) with labels left notitle, \
         for [i=1:nphases] keyentry with boxes lc i title word(phasenames, i)
}
