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

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN      = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
INCS      = -I. -I/usr/include/json-c
LIBS      = -lldns -lev -ljson-c -lcrypto -lpthread -lm
TESTLIBS  = -lcmocka
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

B  = build
BA = build/asan

# module sources per directory
mods = $(filter-out $(1)/main.c $(1)/raizctl.c $(wildcard $(1)/test_*.c),$(wildcard $(1)/*.c))
COMMON_SRC = $(call mods,common)
PROBES_SRC = $(call mods,probes)
DNSD_SRC   = $(call mods,dnsd)
CTL_SRC    = $(call mods,controller)

# which libraries each directory links with (its own first)
DEPS_common     = common
DEPS_probes     = probes common
DEPS_dnsd       = dnsd common
DEPS_controller = controller probes common

UNIT_TESTS = $(wildcard common/test_*.c probes/test_*.c dnsd/test_*.c controller/test_*.c)

PROGS = raiz-dnsd raiz-controller raizctl

all: $(addprefix $(B)/,$(PROGS))
asan: $(addprefix $(BA)/,$(PROGS))

# ---- generic rules, instantiated for the plain and the sanitizer build ----
# $(1) = output tree, $(2) = extra compiler flags
define build_tree
$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(2) $$(WARN) $$(INCS) -MMD -MP -c -o $$@ $$<

$(1)/libcommon.a: $$(patsubst %.c,$(1)/%.o,$$(COMMON_SRC))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/libprobes.a: $$(patsubst %.c,$(1)/%.o,$$(PROBES_SRC))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/libdnsd.a: $$(patsubst %.c,$(1)/%.o,$$(DNSD_SRC))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/libcontroller.a: $$(patsubst %.c,$(1)/%.o,$$(CTL_SRC))
	rm -f $$@ && ar rcs $$@ $$^

$(1)/raiz-dnsd: $(1)/dnsd/main.o $(1)/libdnsd.a $(1)/libcommon.a
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS)
$(1)/raiz-controller: $(1)/controller/main.o $(1)/libcontroller.a $(1)/libprobes.a $(1)/libcommon.a
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS)
$(1)/raizctl: $(1)/controller/raizctl.o $(1)/libcontroller.a $(1)/libprobes.a $(1)/libcommon.a
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS)

$(1)/test/common/%: $(1)/common/%.o $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/probes/%: $(1)/probes/%.o $(1)/libprobes.a $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/dnsd/%: $(1)/dnsd/%.o $(1)/libdnsd.a $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
$(1)/test/controller/%: $(1)/controller/%.o $(1)/libcontroller.a $(1)/libprobes.a $(1)/libcommon.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LIBS) $$(TESTLIBS)
endef

$(eval $(call build_tree,$(B),))
$(eval $(call build_tree,$(BA),$(SANFLAGS)))

UNIT_BINS = $(patsubst %.c,$(BA)/test/%,$(UNIT_TESTS))

# ---- dependencies (Debian 12) ----
DEB_PKGS = build-essential pkg-config bird2 libev-dev libldns-dev ldnsutils \
           libjson-c-dev libcmocka-dev libssl-dev nsd knot knot-dnsutils \
           bind9-dnsutils dnsperf python3 python3-dnspython valgrind iproute2 \
           groff-base procps bc
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing missing Debian packages:" $$missing; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
	@# the packaged daemons must not run on their own: tests start their own
	@for s in bird nsd knot; do systemctl disable --now $$s >/dev/null 2>&1 || true; done

# ---- tests ----
unit: $(UNIT_BINS)
	@tests/run -k __none__ $(UNIT_BINS)

check-build: all asan

test: deps
	$(MAKE) all asan $(UNIT_BINS)
	tests/run $(UNIT_BINS)

# ---- demo node ----
run: deps all
	tests/demo/run

# ---- install ----
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(addprefix $(B)/,$(PROGS)) $(DESTDIR)$(SBINDIR)/
	for m in man/*.5; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man5/; done; true
	for m in man/*.7; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man7/; done; true
	for m in man/*.8; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/; done; true

clean:
	rm -rf build

.PHONY: all asan deps unit test check-build run install clean
-include $(shell find build -name '*.d' 2>/dev/null)
