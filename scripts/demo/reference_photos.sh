#!/usr/bin/env bash
# Makes three stand-in studio photos of the walker with libvips (the demo ships no binaries):
# an unfolded walker seen from the side, a folded one, and both side by side. They are simple
# drawings, but real JPEG/PNG files that go through the same upload checks as a photo would.
set -euo pipefail
out=$1
mkdir -p "$out"
draw() {  # draw FILE WIDTH HEIGHT BACKGROUND FRAME-SVG
    cat >"$out/$1.svg" <<SVG
<svg xmlns="http://www.w3.org/2000/svg" width="$2" height="$3">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="$4"/><stop offset="1" stop-color="#d9d4cc"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#bg)"/>
  <ellipse cx="50%" cy="88%" rx="38%" ry="3%" fill="#00000022"/>
  $5
</svg>
SVG
    vips copy "$out/$1.svg" "$out/$1.png" 2>/dev/null
    rm -f "$out/$1.svg"
}
open_walker='<g stroke="#3a3f45" stroke-width="14" fill="none" stroke-linecap="round">
  <path d="M300 220 L230 700 M300 220 L470 700 M300 220 L520 230"/>
  <path d="M255 520 L440 520" stroke-width="10"/></g>
  <rect x="250" y="430" width="210" height="26" rx="10" fill="#5b4636"/>
  <g fill="#222"><circle cx="230" cy="712" r="42"/><circle cx="470" cy="712" r="42"/></g>
  <g fill="#999"><circle cx="230" cy="712" r="14"/><circle cx="470" cy="712" r="14"/></g>'
folded_walker='<g stroke="#3a3f45" stroke-width="14" fill="none" stroke-linecap="round">
  <path d="M380 180 L360 700 M410 180 L420 700"/></g>
  <rect x="350" y="430" width="90" height="24" rx="8" fill="#5b4636"/>
  <g fill="#222"><circle cx="360" cy="712" r="40"/><circle cx="425" cy="712" r="40"/></g>'
draw walker-open-side 800 800 "#f4efe6" "$open_walker"
draw walker-folded 800 800 "#e9eef2" "$folded_walker"
draw walker-fold-sequence 1200 800 "#efeae3" "<g transform='translate(-60,0)'>$open_walker</g><g transform='translate(420,0)'>$folded_walker</g>"
vips jpegsave "$out/walker-open-side.png" "$out/walker-open-side.jpg" --Q 90 && rm "$out/walker-open-side.png"
ls "$out"
