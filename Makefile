# SPDX-License-Identifier: GPL-2.0-or-later
#
#   make                build mlo.ko for the running kernel (KVER, KDIR)
#   make demo           see mlo work in a guest
#   make check          lint on every kernel of scripts/kernels.list, in
#                       guests what its check column says (CI runs this),
#                       on the debug kernel KUnit, failslab, unload, fuzz
#   make check-all      the whole suite on every kernel, packaging and the
#                       Debian package on every kernel apt installs, and
#                       the debug kernel
#   make check-debug    the debug kernel only (KASAN, lockdep, kmemleak, ...)
#   make vm             a guest shell with mlo loaded
#   make lint           checkpatch --strict, sparse, W=1 on every kernel
#   make bench          benchmarks against lo and dummy
#   make install        modules_install + depmod (DESTDIR honoured)
#   make deb            build/deb/mlo-dkms_VERSION_all.deb (DKMS), lintian

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DESTDIR ?=
INSTALL_MOD_PATH ?= $(DESTDIR)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

uninstall:
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra/mlo.ko* \
	      $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/mlo.ko*
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

deps:
	scripts/deps base kernels

demo: deps
	scripts/demo

check:
	scripts/deps base lint dkms debug boot routing kernels
	scripts/check -d

check-all:
	scripts/deps base lint dkms debug boot routing kernels
	scripts/check -a -d
	scripts/test-deb

check-debug:
	scripts/deps base debug kernels
	scripts/check -k debug

vm: deps
	scripts/demo -i

lint:
	scripts/deps base lint kernels
	scripts/lint

bench:
	scripts/deps base bench kernels
	scripts/bench

# dpkg-buildpackage writes its results beside the tree it builds: build
# a copy of what the package ships, so the clone stays clean.
DEB_DIR ?= $(or $(BUILD_DIR),$(CURDIR)/build)/deb

deb:
	scripts/deps deb
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/mlo
	cp -r debian Kbuild mlo.c mlo.h dkms.conf README.md $(DEB_DIR)/mlo/
	cd $(DEB_DIR)/mlo && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning $(DEB_DIR)/*.changes

.PHONY: all modules clean install uninstall deps demo check check-all check-debug vm lint bench deb
