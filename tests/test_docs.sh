#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The map of the code stays the code's (TAP): docs/ARCHITECTURE.md names
# every source file of the library, the simulator, trace, inspect and the
# command, and every file it names exists; the README's layout names
# every library file too. Run from the top of the tree.
set -u
n=0
fail=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}
doc=docs/ARCHITECTURE.md
missing=
for f in src/*.c cli/*.c; do
	grep -q "$f" "$doc" || missing="$missing $f"
done
[ -z "$missing" ]
ok $? "$doc names every src/ and cli/ file${missing:+; not:$missing}"
stale=
for f in $(grep -oE '(src|sim|cli|trace|inspect|include|tests|scripts)/[a-z0-9_.-]+\.(c|h|sh|map)' "$doc" | sort -u); do
	[ -e "$f" ] || stale="$stale $f"
done
[ -z "$stale" ]
ok $? "every file $doc names exists${stale:+; gone:$stale}"
missing=
layout=$(sed -n '/^## Layout/,/^```$/p; /^## Layout/,/^License/p' README.md)
for f in src/*.c; do
	b=$(basename "$f" .c)
	[ "$b" = version ] && continue
	printf '%s\n' "$layout" | grep -qw "$b" || missing="$missing $b"
done
[ -z "$missing" ]
ok $? "the README's layout names every library file${missing:+; not:$missing}"
echo "1..$n"
[ $fail = 0 ]
