#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The HTML report in a real browser (TAP): a small gigalloc sim --report is
# loaded by headless Chromium (Debian's chromium); a script appended to a
# copy of the page, after load, counts the images that decoded
# (complete, naturalWidth > 0) and records any error, and the test reads the
# result from the DOM Chromium dumps. Skips only when chromium is missing or
# cannot start at all. Run from the top of the tree with OUT=build/VARIANT.
set -u
OUT=${OUT:-build/debug}
bin=$OUT/gigalloc
n=0
fail=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "1..0 # skip chromium is not installed (scripts/setup-deps installs it)"
	exit 0
fi
tmp=$(mktemp -d /tmp/ga-browser-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
run_browser() {	# URL: the DOM after load on stdout
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$tmp/profile" --virtual-time-budget=5000 --dump-dom "$1" \
		2>"$tmp/browser.err"
}
if ! run_browser "data:text/html,<p>hello</p>" | grep -q hello; then
	echo "1..0 # skip chromium cannot run here: $(head -c 300 "$tmp/browser.err" | tr '\n' ' ')"
	exit 0
fi

"$bin" sim --mem 256M --duration 2s --policy vanilla,spb --no-progress \
	--report "$tmp/rep" >/dev/null
ok $? "gigalloc sim --report"
nimg=$(grep -o '<img ' "$tmp/rep/index.html" | wc -l)
[ "$nimg" -ge 8 ]
ok $? "the report has $nimg images"

# The page, with a checker run after every image has loaded or failed.
sed 's|</body></html>||' "$tmp/rep/index.html" >"$tmp/check.html"
cat >>"$tmp/check.html" <<'JS'
<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message || e.type)); }, true);
window.addEventListener('load', function () {
	var imgs = document.images, good = 0;
	for (var i = 0; i < imgs.length; i++)
		if (imgs[i].complete && imgs[i].naturalWidth > 0 && imgs[i].naturalHeight > 0)
			good++;
	var p = document.createElement('pre');
	p.id = 'ga-check';
	p.textContent = 'images=' + imgs.length + ' decoded=' + good +
		' errors=' + window.__errors.length + ' ' + window.__errors.join(';');
	document.body.appendChild(p);
});
</script>
</body></html>
JS
mv "$tmp/rep/index.html" "$tmp/rep/orig.html"	# no file to fall back on:
mkdir "$tmp/alone" && cp "$tmp/check.html" "$tmp/alone/index.html"	# the page alone
dom=$(run_browser "file://$tmp/alone/index.html")
res=$(printf '%s' "$dom" | sed -n 's/.*<pre id="ga-check">\([^<]*\)<.*/\1/p')
[ -n "$res" ]
ok $? "chromium loaded the page and ran the check: $res"
case "$res" in "images=$nimg decoded=$nimg errors=0 "*) r=0 ;; *) r=1 ;; esac
ok $r "every image decodes, no errors, with the page alone in its directory"
printf '%s' "$dom" | grep -q "gigalloc sim"
ok $? "the page's title text is there"

echo "1..$n"
[ $fail = 0 ]
