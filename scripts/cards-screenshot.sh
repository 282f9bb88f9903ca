#!/bin/sh
# Renders the CDS Hooks cards of every bundled example as a static HTML page (cmd/painscreen/internal/cardpage) and
# screenshots it in headless Chromium, so the cards can be looked at as a clinician would see them.
#   scripts/cards-screenshot.sh [OUTDIR]     (default: a temporary directory; prints the PNG path)
# Needs chromium (Debian: apt-get install -y chromium). The PNG is not checked in.
set -eu
out=${1:-$(mktemp -d)}
mkdir -p "$out"
go run ./cmd/painscreen/internal/cardpage -o "$out/cards.html" examples/responses/*.yaml
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=800,${HEIGHT:-6400} \
	--screenshot="$out/cards.png" "file://$(cd "$out" && pwd)/cards.html" >/dev/null 2>&1
echo "$out/cards.png"
