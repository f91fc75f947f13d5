# raiz — anycast DNS node that polices itself.
#
#   make            build the daemons and tools into build/
#   make test       install missing Debian packages, build (plain and
#                   ASan/UBSan), run the unit tests and the integration tests
#   make run        set up and run a demo node in network namespaces
#   make install    install into $(DESTDIR)$(PREFIX)
#
# Layout: every directory holds one program's modules.  In a directory,
# main.c is the program's entry point, test_*.c are cmocka unit tests, and
# every other .c file is a module linked into the directory's library.

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR  ?=

VERSION   = 0.1.0
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN      = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter -DRAIZ_VERSION='"$(VERSION)"'
INCS      = -I. -I/usr/include/json-c
LIBS      = -lldns -lev -ljson-c -lcrypto -lpthread -lm
TESTLIBS  = -lcmocka
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

B  = build
# V=1 shows the full compiler command lines
Q  = $(if $(V),,@)
BA = build/asan

# module sources per directory
mods = $(filter-out $(1)/main.c $(wildcard $(1)/test_*.c),$(wildcard $(1)/*.c))
COMMON_SRC = $(call mods,common)
PROBES_SRC = $(call mods,probes)
DNSD_SRC   = $(call mods,dnsd)
CTL_SRC    = $(call mods,controller)
RAIZCTL_SRC = $(call mods,raizctl)
BIRDCONF_SRC = $(call mods,bird-conf)

# which libraries each directory links with (its own first)
DEPS_common     = common
DEPS_probes     = probes common
DEPS_dnsd       = dnsd probes common
DEPS_controller = controller probes common
DEPS_raizctl    = raizctl birdconf controller probes common
DEPS_bird-conf  = birdconf controller probes common

# dnsd/test_noalloc.c counts the allocations of raiz's own code
LDFLAGS_test_noalloc = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=reallocarray \
	-Wl,--wrap=strdup,--wrap=strndup,--wrap=posix_memalign,--wrap=aligned_alloc,--wrap=free

UNIT_TESTS = $(wildcard common/test_*.c probes/test_*.c dnsd/test_*.c controller/test_*.c \
             raizctl/test_*.c bird-conf/test_*.c)

PROGS = raiz-dnsd raiz-controller raizctl

all: $(addprefix $(B)/,$(PROGS))
asan: $(addprefix $(BA)/,$(PROGS))

# ---- generic rules, instantiated for the plain and the sanitizer build ----
# $(1) = output tree, $(2) = extra compiler flags.  Objects go to
# $(1)/obj/<dir>/, programs to $(1)/ (raizctl/ the directory and
# $(1)/raizctl the program would otherwise collide), unit tests to
# $(1)/test/<dir>/.
define build_tree
$(1)/obj/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) $$(WARN) $$(INCS) -MMD -MP -c -o $$@ $$<

$(1)/libcommon.a: $$(patsubst %.c,$(1)/obj/%.o,$$(COMMON_SRC))
	@echo "  AR      $$@"
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(1)/libprobes.a: $$(patsubst %.c,$(1)/obj/%.o,$$(PROBES_SRC))
	@echo "  AR      $$@"
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(1)/libdnsd.a: $$(patsubst %.c,$(1)/obj/%.o,$$(DNSD_SRC))
	@echo "  AR      $$@"
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(1)/libcontroller.a: $$(patsubst %.c,$(1)/obj/%.o,$$(CTL_SRC))
	@echo "  AR      $$@"
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(1)/libraizctl.a: $$(patsubst %.c,$(1)/obj/%.o,$$(RAIZCTL_SRC))
	@echo "  AR      $$@"
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(1)/libbirdconf.a: $$(patsubst %.c,$(1)/obj/%.o,$$(BIRDCONF_SRC))
	@echo "  AR      $$@"
	$$(Q)rm -f $$@ && ar rcs $$@ $$^

$(1)/raiz-dnsd: $(1)/obj/dnsd/main.o $(1)/libdnsd.a $(1)/libprobes.a $(1)/libcommon.a
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS)
# bench/qcost.c: raiz-dnsd's own cost per answer (bench/README.md), not in all
$(1)/qcost: $(1)/obj/bench/qcost.o $(1)/libdnsd.a $(1)/libprobes.a $(1)/libcommon.a
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS)
$(1)/raiz-controller: $(1)/obj/controller/main.o $(1)/libcontroller.a $(1)/libprobes.a \
		$(1)/libcommon.a
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS)
$(1)/raizctl: $(1)/obj/raizctl/main.o $(1)/libraizctl.a $(1)/libbirdconf.a \
		$(1)/libcontroller.a $(1)/libprobes.a $(1)/libcommon.a
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS)

$(1)/test/common/%: $(1)/obj/common/%.o $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/probes/%: $(1)/obj/probes/%.o $(1)/libprobes.a $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/dnsd/%: $(1)/obj/dnsd/%.o $(1)/libdnsd.a $(1)/libprobes.a $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) $$(LDFLAGS_$$(notdir $$@)) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/controller/%: $(1)/obj/controller/%.o $(1)/libcontroller.a $(1)/libprobes.a \
		$(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/raizctl/%: $(1)/obj/raizctl/%.o $(1)/libraizctl.a $(1)/libbirdconf.a \
		$(1)/libcontroller.a $(1)/libprobes.a $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/bird-conf/%: $(1)/obj/bird-conf/%.o $(1)/libbirdconf.a $(1)/libcontroller.a \
		$(1)/libprobes.a $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
endef

$(eval $(call build_tree,$(B),))
$(eval $(call build_tree,$(BA),$(SANFLAGS)))

UNIT_BINS = $(patsubst %.c,$(BA)/test/%,$(UNIT_TESTS))

# ---- dependencies (Debian 12) ----
DEB_PKGS = build-essential pkg-config bird2 libev-dev libldns-dev ldnsutils \
           libjson-c-dev libcmocka-dev libssl-dev nsd knot knot-dnsutils \
           bind9-dnsutils dnsperf python3 python3-dnspython valgrind iproute2 \
           groff-base procps bc clang libclang-rt-14-dev unbound
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing missing Debian packages:" $$missing; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
	@$(MAKE) -s users
	@# the packaged daemons must not run on their own: tests start their own
	@for s in bird nsd knot unbound; do systemctl disable --now $$s >/dev/null 2>&1 || true; done

# ---- tests ----
unit: $(UNIT_BINS)
	@tests/run -k __none__ $(UNIT_BINS)

check-build: all asan

test: deps
	$(MAKE) all asan $(UNIT_BINS)
	tests/run $(UNIT_BINS)

# ---- fuzzing (libFuzzer, clang) ----
# fuzz/fuzz_<target>.c is one harness per parser of outside input, linked
# with the dnsd and common modules (and controller and probes for those in
# FUZZ_CTL) built by clang with coverage and ASan/UBSan into $(FUZZ_B)/.
# `make fuzz` runs each for FUZZ_SECONDS on its seed corpus
# fuzz/corpus/<target>/ (new inputs go to $(FUZZ_B)/corpus/<target>/,
# crashes to $(FUZZ_B)/crash-<target>-*);
# tests/t_fuzz.sh, run by `make test`, replays the corpus and fuzzes each
# harness a few seconds.  fuzz/<target>.dict, where there is one, is its
# libFuzzer dictionary.  See tests/README.md.
FUZZ_CC      ?= clang
FUZZ_B        = $(B)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS  = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS     = $(addprefix $(FUZZ_B)/,$(FUZZ_TARGETS))

$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) $(FUZZ_XWARN) $(INCS) -MMD -MP -c -o $@ $<
# clang warns where gcc does not: controller/zsync.c's `ZSYNC_REQUEST + z->sent`
$(FUZZ_B)/obj/controller/%.o: FUZZ_XWARN = -Wno-string-plus-int
$(FUZZ_B)/libdnsd.a: $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(DNSD_SRC))
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
$(FUZZ_B)/libcommon.a: $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(COMMON_SRC))
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
$(FUZZ_B)/libprobes.a: $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(PROBES_SRC))
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
$(FUZZ_B)/libcontroller.a: $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(CTL_SRC))
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
# the dnsd harnesses link dnsd, probes (dnsd/gate.c) and common; the
# controller and probe ones
# (fuzz_birdreply, fuzz_judge, fuzz_ctlsock: named in FUZZ_CTL) the
# controller's libraries too
FUZZ_CTL      = fuzz_birdreply fuzz_ctlsock fuzz_judge
$(addprefix $(FUZZ_B)/,$(filter-out $(FUZZ_CTL),$(FUZZ_TARGETS))): $(FUZZ_B)/fuzz_%: \
		$(FUZZ_B)/obj/fuzz/fuzz_%.o $(FUZZ_B)/libdnsd.a $(FUZZ_B)/libprobes.a \
		$(FUZZ_B)/libcommon.a
	@echo "  LD      $@"
	$(Q)$(FUZZ_CC) -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)
$(addprefix $(FUZZ_B)/,$(filter $(FUZZ_CTL),$(FUZZ_TARGETS))): $(FUZZ_B)/fuzz_%: \
		$(FUZZ_B)/obj/fuzz/fuzz_%.o $(FUZZ_B)/libdnsd.a $(FUZZ_B)/libcontroller.a \
		$(FUZZ_B)/libprobes.a $(FUZZ_B)/libcommon.a
	@echo "  LD      $@"
	$(Q)$(FUZZ_CC) -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/corpus/$$t; \
	    seeds=; [ -d fuzz/corpus/$$t ] && seeds=fuzz/corpus/$$t; \
	    dict=; [ -f fuzz/$$t.dict ] && dict=-dict=fuzz/$$t.dict; \
	    echo "== $$t: $(FUZZ_SECONDS) s"; \
	    $(FUZZ_B)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 $$dict \
	        -artifact_prefix=$(FUZZ_B)/crash-$$t- $(FUZZ_B)/corpus/$$t $$seeds \
	        2>$(FUZZ_B)/$$t.log || { tail -n 60 $(FUZZ_B)/$$t.log; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' $(FUZZ_B)/$$t.log; \
	done

.PHONY: fuzz fuzz-build

# ---- demo node ----
run: deps all
	tests/demo/run

demo-failover: deps all
	tests/demo/run --failover

# the anycast cloud lab (tests/lib/cloud.sh): three nodes, two ISPs, an IXP
# route server, Unbound; Ctrl-C (or RAIZ_DEMO_SECONDS) ends it
demo-cloud: deps all
	@command -v unbound >/dev/null || { apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q unbound; }
	tests/cloud/demo
.PHONY: demo-cloud

# ---- benchmarks (bench/README.md "make bench") ----
# bench/qps (short) and bench/zload at 10k and 100k delegations (and 1M
# with BENCH_LARGE=1: about half an hour and ~5 GB of RAM with NSD) on the
# optimised build in $(B); tables to $(B)/bench/*.txt, the plot to
# $(B)/bench/zload.png.  Zones are cached in build/bench-cache/.
BENCH_OUT    = $(B)/bench
BENCH_COMMA := ,
BENCH_SIZES  = 10000,100000$(if $(filter 1,$(BENCH_LARGE)),$(BENCH_COMMA)1000000)
bench: all
	@mkdir -p $(BENCH_OUT)
	bash -o pipefail -c 'RAIZ_BUILD=$(B) bench/qps -l 5 2>&1 | tee $(BENCH_OUT)/qps.txt'
	bash -o pipefail -c 'RAIZ_BUILD=$(B) bench/zload --delegations $(BENCH_SIZES) \
	    --plot $(BENCH_OUT)/zload.png --json $(BENCH_OUT)/zload.json 2>&1 | tee $(BENCH_OUT)/zload.txt'
.PHONY: bench

# ---- install ----
# users: raiz runs raiz-dnsd; raiz-controller runs the controller, in
# group raiz (/run/raiz, /var/lib/raiz) and bird (BIRD's socket), see the
# PRIVILEGES sections of raiz-dnsd(8) and raiz-controller(8)
users:
	@getent passwd raiz >/dev/null || useradd --system --no-create-home \
	    --home-dir /var/lib/raiz --shell /usr/sbin/nologin raiz
	@getent passwd raiz-controller >/dev/null || useradd --system --user-group \
	    --no-create-home --home-dir /var/lib/raiz --shell /usr/sbin/nologin raiz-controller
	@usermod -a -G raiz raiz-controller
	@if getent group bird >/dev/null; then usermod -a -G bird raiz-controller; fi
.PHONY: users

UNITDIR    ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DOCDIR     ?= $(PREFIX)/share/doc/raiz
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/raiz $(DESTDIR)$(DOCDIR)/bird-conf
	install -m 0755 $(addprefix $(B)/,$(PROGS)) $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(wildcard man/*.5) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 $(wildcard man/*.8) $(DESTDIR)$(MANDIR)/man8/
	$(SUBST) dnsd/raiz-dnsd.service > $(DESTDIR)$(UNITDIR)/raiz-dnsd.service
	$(SUBST) controller/raiz-controller.service > $(DESTDIR)$(UNITDIR)/raiz-controller.service
	install -m 0644 common/raiz.tmpfiles $(DESTDIR)$(TMPFILESDIR)/raiz.conf
	install -m 0644 tests/demo/raiz.json $(DESTDIR)$(SYSCONFDIR)/raiz/raiz.json.example
	install -m 0644 $(wildcard bird-conf/*.conf bird-conf/*.md) $(DESTDIR)$(DOCDIR)/bird-conf/
	@if [ -z "$(DESTDIR)" ]; then $(MAKE) -s users; fi
	@echo "installed. Next: write $(SYSCONFDIR)/raiz/raiz.json (see raiz.json(5)), then"
	@echo "  raizctl bird-conf > /etc/bird/bird.conf; raizctl bird-conf state > /var/lib/raiz/bird-state.conf"
	@echo "  systemctl enable --now raiz-dnsd raiz-controller"

# ---- Debian package ----
# make deb: dpkg-buildpackage -us -uc -b on a copy of the tree (tracked and
# untracked files, not ignored ones) in $(B)/deb/, leaving
# $(B)/deb/raiz_$(VERSION)_<arch>.deb there, then lintian on it.  The
# package's version is VERSION above: debian/rules refuses to build when
# debian/changelog says otherwise.  The project's tests do not run inside
# the package build (tests/t_deb.sh builds, installs and purges it).
DEB_TOOLS = build-essential dpkg-dev debhelper devscripts lintian
DEB_DIR   = $(B)/deb
deb-deps:
	@missing=$$(for p in $(DEB_TOOLS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing missing Debian packages:" $$missing; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	        --no-install-recommends $$missing || exit 1; \
	fi; \
	if ! dpkg-checkbuilddeps >/dev/null 2>&1; then \
	    echo "installing the build dependencies of debian/control"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q ./ || exit 1; \
	fi

deb: deb-deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/raiz-$(VERSION)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git ls-files -z -co --exclude-standard | \
	        tar --null --ignore-failed-read -T - -cf - 2>/dev/null; \
	else \
	    tar --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - .; \
	fi | tar -C $(DEB_DIR)/raiz-$(VERSION) -xf -
	cd $(DEB_DIR)/raiz-$(VERSION) && unset MAKEFLAGS MFLAGS MAKELEVEL && \
	    dpkg-buildpackage -us -uc -b
	lintian -I --fail-on error,warning $(DEB_DIR)/raiz_$(VERSION)_*.changes
	@echo "built: $$(ls $(DEB_DIR)/raiz_$(VERSION)_*.deb)"

.PHONY: deb deb-deps

clean:
	rm -rf build

# keep test objects: they are not intermediates to throw away
.SECONDARY:

.PHONY: all asan deps unit test check-build run demo-failover install clean
-include $(shell find $(B) $(BA) -name '*.d' 2>/dev/null)
