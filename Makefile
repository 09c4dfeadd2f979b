# SPDX-License-Identifier: ISC
# A thin wrapper around CMake for the usual commands:
#   make                      build (in $(BUILD), default build/)
#   make install              install under $(PREFIX) (default /usr/local)
#   make install DESTDIR=/tmp/stage PREFIX=/usr
#   make test                 unit tests (ctest)
# The install paths go into the systemd units, so PREFIX is given when the
# build is configured, not only when installing.
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CMAKE ?= cmake
JOBS ?= 2

.PHONY: all configure install test clean

all: configure
	$(CMAKE) --build $(BUILD) -j $(JOBS)

# A new build directory gets an optimised build; an existing one keeps its
# type (build-asan stays Debug with sanitizers).
configure:
	@if [ -f $(BUILD)/CMakeCache.txt ]; then type=; \
	else type=-DCMAKE_BUILD_TYPE=RelWithDebInfo; fi; \
	$(CMAKE) -S . -B $(BUILD) $$type -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

install: all
	DESTDIR=$(DESTDIR) $(CMAKE) --install $(BUILD)

test: all
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

clean:
	$(CMAKE) --build $(BUILD) --target clean
