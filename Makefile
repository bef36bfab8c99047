# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# make            build the library and the gigalloc command (release)
# make run        build and run the main job
# make check      build and run every test: debug, release (what users run,
#                 and make install into a temporary prefix), ASan+UBSan,
#                 TSan, clang
# make bench      build and run the benchmarks
# make bench-sim  time one simulated hour of 256 GiB (scripts/bench-sim)
# make install    install the command, the static and shared library, the
#                 header, gigalloc.pc and the man pages under
#                 $(DESTDIR)$(PREFIX) (PREFIX=/usr/local); make uninstall
#
# VARIANT selects the build flavour and output directory (build/$(VARIANT)):
#   release  -O2
#   debug    -O1 -DGA_DEBUG (internal assertions)
#   asan     debug + AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan     debug + ThreadSanitizer

CC      ?= cc
VARIANT ?= release
OUT     := build/$(VARIANT)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE    := -std=gnu11 -g -pthread -Iinclude -Isrc -Isim -Itrace -Iinspect -Icli $(WARN)

# Release builds use link-time optimization with gcc so the pcp fast path
# inlines across files (21 -> 18 ns per order-0 pair); other compilers
# build without it. The objects are fat (-ffat-lto-objects): machine code
# beside the bytecode, so build/release/libgigalloc.a links with clang or
# without the LTO plugin and nm lists its symbols. The installed libraries
# (dist) get the same inlining from a whole-library translation unit, with
# no LTO bytecode.
ifeq ($(VARIANT),release)
ifneq ($(filter gcc cc,$(notdir $(CC))),)
VFLAGS  := -O2 -flto=auto -ffat-lto-objects
AR      := gcc-ar
else
VFLAGS  := -O2
endif
else ifeq ($(VARIANT),debug)
VFLAGS  := -O1 -DGA_DEBUG
else ifeq ($(VARIANT),asan)
VFLAGS  := -O1 -DGA_DEBUG -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(VARIANT),tsan)
VFLAGS  := -O1 -DGA_DEBUG -fsanitize=thread
else ifeq ($(VARIANT),fuzz)
# clang only: asan + libFuzzer's coverage instrumentation of the library.
VFLAGS  := -O1 -DGA_DEBUG -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer
else
$(error unknown VARIANT $(VARIANT))
endif

CFLAGS  += $(BASE) $(VFLAGS)
LDFLAGS += -pthread $(filter -fsanitize=% -flto%,$(VFLAGS))
LDLIBS  += -lm -lpng -lz
# zstd traces are read when libzstd-dev is installed (trace/tsource.c
# checks with __has_include; this links the library in the same case).
LDLIBS  += $(shell printf '\043include <zstd.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo -lzstd)

# trace-cmd's binary trace.dat is read when libtracecmd-dev is installed
# (trace/tracedat.c; without it such a file is refused with a message).
TRACECMD  := $(shell pkg-config --exists libtracecmd 2>/dev/null && echo 1)
ifeq ($(TRACECMD),1)
BASE    += -DHAVE_TRACECMD $(shell pkg-config --cflags libtracecmd)
LDLIBS  += $(shell pkg-config --libs libtracecmd)
endif

LIB_SRC   := $(wildcard src/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(OUT)/%.o)
LIB       := $(OUT)/libgigalloc.a
SIM_SRC   := $(wildcard sim/*.c trace/*.c inspect/*.c)
SIM_LIB   := $(OUT)/libgasim.a
CLI_SRC   := $(wildcard cli/*.c)
CLI       := $(OUT)/gigalloc
# The subcommands without main(), for tests that drive them.
CLI_LIB   := $(OUT)/libgacli.a
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(OUT)/tests/%)
TEST_LIB  := $(patsubst tests/%.c,$(OUT)/tests/%.o,$(filter-out tests/test_%.c,$(wildcard tests/*.c)))
BENCH     := $(OUT)/bench/bench

# What is installed (build/$(VARIANT)/dist): the library as one object
# whose only global symbols are the ga_ API, archived (no LTO bytecode:
# any toolchain links it), and a shared library with a soname whose
# version script exports the same.
VERSION   := $(shell sed -n 's/^\#define GA_VERSION_STRING[[:space:]]*"\(.*\)"/\1/p' include/gigalloc.h)
SOMAJOR   := $(firstword $(subst ., ,$(VERSION)))
SONAME    := libgigalloc.so.$(SOMAJOR)
DIST      := $(OUT)/dist
DIST_A    := $(DIST)/libgigalloc.a
DIST_SO   := $(DIST)/libgigalloc.so.$(VERSION)
PIC_OBJ   := $(LIB_SRC:%.c=$(OUT)/pic/%.o)
# Linking the relocatable object runs LTO when the objects carry it.
RELINK    := $(if $(filter -flto%,$(VFLAGS)),-flinker-output=nolto-rel)

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
MANDIR      ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

# Tests that exercise threads run again under ThreadSanitizer.
TSAN_TESTS ?= test_threads test_node test_executor test_evacuate test_compaction test_nolock test_spb_defrag test_pcp_buddy test_concurrency test_spb_shrink test_hotplug test_peek_threads

.PHONY: all lib cli tests run demo check check-variant bench bench-sim clean fuzz fuzz-run \
	fuzz-check fuzzers deps soak tsan-loop FORCE dist install uninstall
.SECONDARY:

all: lib cli dist

lib: $(LIB)
dist: $(DIST_A) $(DIST_SO)
cli: $(CLI)
tests: $(TEST_BIN) $(CLI)

# V=1 shows the full commands.
Q := $(if $(V),,@)

# The git commit the outputs name (sim/provenance.c): rewritten only when
# it changes, so a new commit rebuilds one file.
GIT_COMMIT := $(shell git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null)
$(OUT)/gen/gitcommit.h: FORCE | dirs
	@mkdir -p $(OUT)/gen
	@v='#define GA_GIT_COMMIT "$(GIT_COMMIT)"'; \
	if [ "$$(cat $@ 2>/dev/null)" != "$$v" ]; then echo "$$v" > $@; fi
$(OUT)/sim/provenance.o: $(OUT)/gen/gitcommit.h
$(OUT)/sim/provenance.o: CFLAGS += -I$(OUT)/gen

FORCE:

$(OUT)/%.o: %.c $(wildcard include/*.h src/*.h tests/*.h sim/*.h trace/*.h inspect/*.h cli/*.h) | dirs
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

dirs:
	@mkdir -p $(OUT)/src $(OUT)/cli $(OUT)/sim $(OUT)/trace $(OUT)/inspect $(OUT)/tests \
		$(OUT)/bench $(OUT)/tests/soak $(OUT)/pic/src $(DIST)

$(OUT)/pic/%.o: %.c $(wildcard include/*.h src/*.h) | dirs
	@$(if $(Q),echo "  CC -fPIC $@")
	$(Q)$(CC) $(CFLAGS) -fPIC -c -o $@ $<

# Internal symbols (expand, add_to_free_list, ...) become local, so they
# cannot clash with a program's own. A gcc release build compiles the
# library as one translation unit with -fwhole-program, the ga_ API marked
# externally_visible: the internal functions become static and inline as
# under LTO (the pcp fast path), with no LTO bytecode in what is shipped.
# Other builds link the objects with ld -r and make the rest local.
ifneq ($(and $(filter release,$(VARIANT)),$(filter gcc cc,$(notdir $(CC)))),)
DIST_OPT := $(filter-out -flto% -ffat-lto-objects,$(VFLAGS)) -fwhole-program

$(DIST)/api-visible.h: include/gigalloc.h | dirs
	$(Q)(echo '#include "gigalloc.h"'; grep -oE '\bga_[a-z0-9_]+\(' $< | tr -d '(' | \
		sort -u | sed 's/.*/extern __typeof__(&) & __attribute__((externally_visible));/') > $@

$(DIST)/unity.c: $(LIB_SRC) $(DIST)/api-visible.h
	$(Q)(echo '#include "api-visible.h"'; \
		for f in $(LIB_SRC); do echo "#include \"$(CURDIR)/$$f\""; done) > $@

$(DIST)/gigalloc.o: $(DIST)/unity.c $(wildcard include/*.h src/*.h)
	@$(if $(Q),echo "  CC      $@ (whole library)")
	$(Q)$(CC) $(BASE) $(DIST_OPT) -c -o $@ $<

$(DIST)/gigalloc-pic.o: $(DIST)/unity.c $(wildcard include/*.h src/*.h)
	@$(if $(Q),echo "  CC -fPIC $@ (whole library)")
	$(Q)$(CC) $(BASE) $(DIST_OPT) -fPIC -c -o $@ $<

SO_OBJ := $(DIST)/gigalloc-pic.o
else
$(DIST)/gigalloc.o: $(LIB_OBJ) | dirs
	@$(if $(Q),echo "  LD -r   $@")
	$(Q)$(CC) $(VFLAGS) $(RELINK) -r -nostdlib -o $@.tmp $^
	$(Q)objcopy -w --keep-global-symbol='ga_*' $@.tmp $@
	$(Q)rm -f $@.tmp

SO_OBJ := $(PIC_OBJ)
endif

$(DIST_A): $(DIST)/gigalloc.o
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(DIST_SO): $(SO_OBJ) src/libgigalloc.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=src/libgigalloc.map -o $@ $(SO_OBJ) -pthread
	$(Q)ln -sf libgigalloc.so.$(VERSION) $(DIST)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(DIST)/libgigalloc.so



$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

# The simulator library: workload models, metrics and report writers.
$(SIM_LIB): $(SIM_SRC:%.c=$(OUT)/%.o) | dirs
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(CLI_LIB): $(filter-out $(OUT)/cli/gigalloc.o,$(CLI_SRC:%.c=$(OUT)/%.o)) | dirs
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

# The command links the installed form of the library, as users get it.
$(CLI): $(CLI_SRC:%.c=$(OUT)/%.o) $(SIM_LIB) $(DIST_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/tests/%: $(OUT)/tests/%.o $(TEST_LIB) $(CLI_LIB) $(SIM_LIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# test_cli runs the command itself.
$(OUT)/tests/test_cli.o: CFLAGS += -DGA_CLI_BIN='"$(abspath $(CLI))"'
$(OUT)/tests/test_cli: | $(CLI)

$(BENCH): $(OUT)/bench/bench.o $(DIST_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Install the Debian packages the build and tests need (scripts/debian-packages).
deps:
	@./scripts/setup-deps

# The README's main job: compare the policies on the default workload.
run: deps
	$(MAKE) cli
	./$(CLI) sim

demo: cli
	./$(CLI) demo

# Run one variant's tests through prove (TAP).
check-variant: tests
	prove -f --exec '' $(if $(ONLY),$(ONLY:%=$(OUT)/tests/%),$(TEST_BIN))

check: deps
	$(MAKE) VARIANT=debug check-variant
	$(MAKE) VARIANT=release all check-variant
	OUT=build/release prove -f --exec '' tests/test_install.sh tests/test_report_browser.sh \
		tests/test_docs.sh
	$(MAKE) VARIANT=asan check-variant
	$(MAKE) VARIANT=tsan check-variant ONLY="$(TSAN_TESTS)"
	@if command -v clang >/dev/null 2>&1; then \
		$(MAKE) VARIANT=release CC=clang OUT=build/clang all && echo "clang build: clean"; \
	else echo "clang not installed: skipped the clang build"; fi
	@if command -v clang >/dev/null 2>&1; then $(MAKE) fuzz-check; \
	else echo "clang not installed: skipped the fuzz replay and slices"; fi

# libFuzzer harnesses (clang): tests/fuzz/fuzz_NAME.c -> build/fuzz/fuzz/fuzz_NAME,
# seeds in tests/fuzz/corpus/NAME, dictionary tests/fuzz/NAME.dict, every
# past crash kept in tests/fuzz/crashes/NAME. See docs/TESTING.md.
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_DIR   := build/fuzz/fuzz
SECONDS    ?= 60
FUZZ_SLICE ?= 10
# make check's slices start from a fixed seed, so a CI run explores the same
# inputs as the developer's; make fuzz-run explores new ones.
FUZZ_SEED  ?= 1
FUZZ_OPTS  := -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=20

ifeq ($(VARIANT),fuzz)
fuzzers: $(FUZZ_NAMES:%=$(OUT)/fuzz/fuzz_%)

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(SIM_LIB) $(LIB) | dirs
	@mkdir -p $(OUT)/fuzz
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(SIM_LIB) $(LIB) $(LDFLAGS) $(LDLIBS)
endif

fuzz:
	$(MAKE) VARIANT=fuzz CC=clang OUT=build/fuzz fuzzers

# Fuzz each harness for SECONDS seconds (new inputs go to build/fuzz/work,
# crashes to build/fuzz/crash-NAME-*); nice'd, one harness at a time.
fuzz-run: fuzz
	@for n in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/work/$$n; \
		echo "== fuzz_$$n for $(SECONDS) s"; \
		nice -n 19 $(FUZZ_DIR)/fuzz_$$n -max_total_time=$(SECONDS) $(FUZZ_OPTS) \
			-print_final_stats=1 -artifact_prefix=build/fuzz/crash-$$n- \
			$$(test -f tests/fuzz/$$n.dict && echo -dict=tests/fuzz/$$n.dict) \
			build/fuzz/work/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

# make check's share: replay every past crash as a regression test, then
# fuzz each harness for a short slice (FUZZ_SLICE s) whose start runs every
# input of the committed corpus once (libFuzzer's INITED), so a corpus
# input that crashes fails here too, without a second pass over it.
fuzz-check: fuzz
	@for n in $(FUZZ_NAMES); do \
		log=build/fuzz/check-$$n.log; \
		crashes=$$(ls tests/fuzz/crashes/$$n/* 2>/dev/null); \
		echo "== fuzz_$$n: replay$${crashes:+ $$(echo $$crashes | wc -w) past crashes and} tests/fuzz/corpus/$$n, then $(FUZZ_SLICE) s of fuzzing"; \
		: >$$log; \
		test -z "$$crashes" || $(FUZZ_DIR)/fuzz_$$n $(FUZZ_OPTS) $$crashes >>$$log 2>&1 || \
			{ tail -40 $$log; exit 1; }; \
		rm -rf build/fuzz/slice/$$n; mkdir -p build/fuzz/slice/$$n; \
		$(FUZZ_DIR)/fuzz_$$n -max_total_time=$(FUZZ_SLICE) $(FUZZ_OPTS) -seed=$(FUZZ_SEED) \
			-print_final_stats=1 -artifact_prefix=build/fuzz/crash-$$n- \
			$$(test -f tests/fuzz/$$n.dict && echo -dict=tests/fuzz/$$n.dict) \
			build/fuzz/slice/$$n tests/fuzz/corpus/$$n >>$$log 2>&1 || \
			{ tail -40 $$log; exit 1; }; \
		grep -E "stat::number_of_executed_units|Done [0-9]+ runs" $$log | tail -1; \
	done

# Soak (docs/TESTING.md): SOAK_OPS random operations over every preset with
# the checker and page conservation every 10^6, then the threaded tests
# SOAK_ITER times under ThreadSanitizer. Long: nice'd.
SOAK_OPS     ?= 1000000000
SOAK_THREADS ?= 4
SOAK_ITER    ?= 20
SOAK         := $(OUT)/tests/soak/soak

$(SOAK): $(OUT)/tests/soak/soak.o $(TEST_LIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

soak:
	$(MAKE) VARIANT=release build/release/tests/soak/soak
	nice -n 19 ./build/release/tests/soak/soak $(SOAK_OPS) $(SOAK_THREADS)
	$(MAKE) tsan-loop

# The threaded tests SOAK_ITER times each under ThreadSanitizer, counting
# failures (logs of failed runs in build/tsan/loop); nice'd.
tsan-loop:
	$(MAKE) VARIANT=tsan $(TSAN_TESTS:%=build/tsan/tests/%)
	nice -n 19 ./scripts/tsan-loop $(SOAK_ITER) build/tsan/loop $(TSAN_TESTS:%=build/tsan/tests/%)

bench:
	$(MAKE) VARIANT=release $(BENCH)
	./build/release/bench/bench

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/gigalloc
	install -m 644 $(DIST_A) $(DESTDIR)$(LIBDIR)/libgigalloc.a
	install -m 755 $(DIST_SO) $(DESTDIR)$(LIBDIR)/libgigalloc.so.$(VERSION)
	ln -sf libgigalloc.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libgigalloc.so
	install -m 644 include/gigalloc.h $(DESTDIR)$(INCLUDEDIR)/gigalloc.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		gigalloc.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/gigalloc.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/gigalloc.pc
	install -m 644 man/gigalloc.1 $(DESTDIR)$(MANDIR)/man1/gigalloc.1
	install -m 644 man/libgigalloc.3 $(DESTDIR)$(MANDIR)/man3/libgigalloc.3

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gigalloc $(DESTDIR)$(LIBDIR)/libgigalloc.a \
		$(DESTDIR)$(LIBDIR)/libgigalloc.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libgigalloc.so $(DESTDIR)$(INCLUDEDIR)/gigalloc.h \
		$(DESTDIR)$(PKGCONFIGDIR)/gigalloc.pc $(DESTDIR)$(MANDIR)/man1/gigalloc.1 \
		$(DESTDIR)$(MANDIR)/man3/libgigalloc.3

clean:
	rm -rf build

# One simulated hour of 256 GiB under every preset (issue 17); minutes.
bench-sim:
	$(MAKE) VARIANT=release cli
	nice ./scripts/bench-sim ./$(CLI)

# The replay's input tests run cmd_replay itself (exit codes, messages).
$(OUT)/tests/test_replay_inputs: $(OUT)/tests/test_replay_inputs.o $(OUT)/cli/cmd_replay.o $(TEST_LIB) $(SIM_LIB) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
