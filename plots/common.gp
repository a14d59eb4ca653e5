# common.gp - shared settings; every plot script loads it, then calls
# `render` (below) once per output format. Variables given with -e:
#   outstem   output path without extension (.svg and .png are written)
set datafile missing '?'
set grid
set key outside right top
# Both formats from one plot command: SVG for the HTML, PNG for Markdown.
render_svg = 'set terminal svg noenhanced size 960,540 font "sans,12" background "white"; set output outstem.".svg"'
render_png = 'set terminal pngcairo noenhanced size 960,540 font "sans,10" background "white"; set output outstem.".png"'
