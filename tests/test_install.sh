#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# make install / uninstall, as a user and a packager use them (TAP):
# install the release build under a temporary PREFIX, build the README's
# library example against the *installed* library with pkg-config, with
# gcc and with clang, shared and static; check that only the ga_ API is
# exported, the soname, the man pages (every option of every subcommand's
# --help is in gigalloc(1)), DESTDIR staging, and that uninstall removes
# everything. Run from the top of the tree: tests/test_install.sh
set -u
MAKE=${MAKE:-make}
n=0
fail=0
ok() {	# ok COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }

tmp=$(mktemp -d /tmp/ga-install-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

$MAKE -s VARIANT=release PREFIX="$prefix" install >"$tmp/log" 2>&1
ok $? "make install PREFIX=$prefix"
for f in bin/gigalloc lib/libgigalloc.a lib/libgigalloc.so lib/libgigalloc.so.0 \
	 include/gigalloc.h lib/pkgconfig/gigalloc.pc share/man/man1/gigalloc.1 \
	 share/man/man3/libgigalloc.3; do
	[ -e "$prefix/$f" ]
	ok $? "installed $f"
done

# The README's example, verbatim: the C block after "## Using the library".
awk '/^## Using the library/ { u = 1 } u && /^```c$/ { c = 1; next }
     c && /^```$/ { exit } c { print }' README.md >"$tmp/example.c"
grep -q 'int main' "$tmp/example.c"
ok $? "extracted the README's library example"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags gigalloc) && libs=$(pkg-config --libs gigalloc)
ok $? "pkg-config --cflags --libs gigalloc: $cflags $libs"
[ "$(pkg-config --modversion gigalloc)" = "$("$prefix/bin/gigalloc" --version | sed -n '1s/gigalloc //p')" ]
ok $? "pkg-config's version is the command's"

for cc in gcc clang; do
	if ! command -v $cc >/dev/null 2>&1; then
		skip "$cc not installed"; skip "$cc"; skip "$cc"; skip "$cc"
		continue
	fi
	# shellcheck disable=SC2086
	$cc -Wall -Werror -o "$tmp/ex-$cc" "$tmp/example.c" $cflags $libs 2>"$tmp/err"
	ok $? "$cc builds the example against the installed shared library"
	out=$(LD_LIBRARY_PATH="$prefix/lib" "$tmp/ex-$cc")
	case "$out" in *"libgigalloc 0"*"invariants ok"*) r=0 ;; *) r=1 ;; esac
	ok $r "and it runs: $(echo "$out" | tail -1)"
	LD_LIBRARY_PATH="$prefix/lib" ldd "$tmp/ex-$cc" | grep -q "libgigalloc.so.0 => $prefix/lib"
	ok $? "$cc: linked to libgigalloc.so.0 from the prefix"
	# Static: the archive must be machine code any toolchain links (not GCC
	# LTO bytecode), and its internal names must not clash with ours.
	printf 'int expand(void) { return 0; }\nint add_to_free_list;\n' >"$tmp/clash.c"
	# shellcheck disable=SC2086
	$cc -Wall -Werror -o "$tmp/st-$cc" "$tmp/example.c" "$tmp/clash.c" $cflags \
		"$prefix/lib/libgigalloc.a" -pthread 2>"$tmp/err" && "$tmp/st-$cc" >/dev/null
	ok $? "$cc links the static archive beside a program's own expand/add_to_free_list $(head -c 200 "$tmp/err")"
done

leak=$(nm -D --defined-only "$prefix/lib/libgigalloc.so" | awk '$3 !~ /^ga_/ && $3 != "GIGALLOC_0" { print $3 }')
[ -z "$leak" ]
ok $? "the shared library exports only ga_ symbols${leak:+: $leak}"
leak=$(nm -g --defined-only "$prefix/lib/libgigalloc.a" 2>/dev/null | awk 'NF == 3 && $3 !~ /^ga_/ { print $3 }')
[ -z "$leak" ]
ok $? "the static archive's only global symbols are ga_ ones${leak:+: $leak}"
[ "$(nm -g --defined-only "$prefix/lib/libgigalloc.a" | grep -c ' T ga_')" -ge 50 ]
ok $? "and they are machine code nm can list (no LTO-only archive)"
# The build tree's own release archive (what the tests link) is fat: it
# holds machine code beside gcc's LTO bytecode, so nm lists it and clang
# links it without the LTO plugin.
OUT=${OUT:-build/release}
[ "$(nm -g --defined-only "$OUT/libgigalloc.a" 2>/dev/null | grep -c ' T ga_')" -ge 50 ]
ok $? "nm lists the ga_ functions of $OUT/libgigalloc.a"
if command -v clang >/dev/null 2>&1; then
	clang -Wall -Werror -Iinclude -o "$tmp/tree-clang" "$tmp/example.c" \
		"$OUT/libgigalloc.a" -pthread -lm 2>"$tmp/err" && "$tmp/tree-clang" >/dev/null
	ok $? "clang links $OUT/libgigalloc.a $(head -c 200 "$tmp/err")"
else
	skip "clang not installed"
fi
readelf -d "$prefix/lib/libgigalloc.so" | grep -q 'SONAME.*\[libgigalloc.so.0\]'
ok $? "soname libgigalloc.so.0"

# Man pages: they render, and gigalloc(1) lists every option of every --help.
MANPATH="$prefix/share/man" man -P cat gigalloc 2>/dev/null | grep -q "EXIT STATUS"
ok $? "man gigalloc renders, with EXIT STATUS"
MANPATH="$prefix/share/man" man -P cat 3 libgigalloc 2>/dev/null | grep -q "ga_alloc_contig_pages"
ok $? "man 3 libgigalloc renders"
missing=
for c in sim replay inspect demo policy compare sweep; do
	for o in $("$prefix/bin/gigalloc" $c --help | grep -oE '^ +--[a-z0-9-]+' ); do
		sed 's/\\-/-/g' "$prefix/share/man/man1/gigalloc.1" | grep -q -- "$o" ||
			missing="$missing $c:$o"
	done
done
[ -z "$missing" ]
ok $? "gigalloc(1) documents every subcommand option${missing:+; missing:$missing}"
presets=$("$prefix/bin/gigalloc" policy --policy no-such 2>&1 | sed -n 's/.*presets: *//p')
missing=
for p in $presets; do
	sed 's/\\-/-/g' "$prefix/share/man/man1/gigalloc.1" | grep -qw -- "$p" || missing="$missing $p"
done
[ -n "$presets" ] && [ -z "$missing" ]
ok $? "gigalloc(1) names every preset ($presets)${missing:+; missing:$missing}"
for c in sim replay; do
	want=$("$prefix/bin/gigalloc" $c --help | sed -n 's/.*--policy .*(default: \([^)]*\)).*/\1/p')
	grep -q "policies to [a-z]* (default: $want)" "$prefix/share/man/man1/gigalloc.1"
	ok $? "gigalloc(1) gives $c's default policies as its --help does ($want)"
done
"$prefix/bin/gigalloc" help sim | grep -q "usage: gigalloc sim"
ok $? "gigalloc help sim"

# A packager's staged install.
$MAKE -s VARIANT=release PREFIX=/usr DESTDIR="$tmp/stage" install >"$tmp/log" 2>&1
ok $? "make install PREFIX=/usr DESTDIR=$tmp/stage"
[ -x "$tmp/stage/usr/bin/gigalloc" ] && grep -q '^prefix=/usr$' "$tmp/stage/usr/lib/pkgconfig/gigalloc.pc"
ok $? "files under DESTDIR, gigalloc.pc says prefix=/usr"

$MAKE -s VARIANT=release PREFIX="$prefix" uninstall >"$tmp/log" 2>&1
ok $? "make uninstall"
left=$(find "$prefix" ! -type d | head -3)
[ -z "$left" ]
ok $? "nothing left under the prefix${left:+: $left}"

echo "1..$n"
[ $fail = 0 ]
