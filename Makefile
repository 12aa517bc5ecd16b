# feedwatch — `make run` and `make test` work on a fresh Debian 12 machine.
SWIFT        ?= swift
PREFIX       ?= /usr/local
CONFIG       ?= config/feedwatch.yaml
# postgresql-15 (programs in /usr/lib/postgresql/15/bin): the state-store tests start private servers of
# their own (Tests/TestSupport/PostgresTestServer.swift), never Debian's cluster.
APT_PACKAGES := libcurl4-openssl-dev libxml2-dev libsystemd-dev libsqlite3-dev libuchardet-dev libjemalloc-dev pkg-config \
                systemd curl python3-aiosmtpd python3-prometheus-client chromium fonts-dejavu-core \
                postgresql-15 postgresql-client-15
# The benchmarks also serve 10,000 feeds with nginx and time processes with GNU time.
BENCH_PACKAGES := nginx-light time
# `make deb`: dpkg-shlibdeps (dpkg-dev) computes Depends:, lintian checks the package.
DEB_PACKAGES := dpkg-dev lintian man-db
# `make test-system`: a Debian 12 root booted with systemd-nspawn; python3 serves feeds and takes webhooks.
SYSTEM_PACKAGES := debootstrap systemd-container python3
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN   = .build/release/feedwatch

# The version has one definition, FeedSettings.version; `make deb` checks the binary's --version agrees.
VERSION      := $(shell sed -n 's/.*static let version = "\([^"]*\)".*/\1/p' Sources/FeedwatchConfig/Config.swift)
DEB_ARCH     := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB          := feedwatch_$(VERSION)_$(DEB_ARCH).deb
DEB_MAINTAINER ?= feedwatch maintainers <feedwatch@users.noreply.github.com>
# The Swift runtime linked into the binary: the package needs no toolchain on the server.
STATIC_SCRATCH := .build-static
STATIC_BIN     := $(STATIC_SCRATCH)/release/feedwatch
DEB_BUILD      := .build-deb
# Timestamps inside the package (files, changelog, man page date) come from the last commit.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

.PHONY: deps bench-deps deb-deps system-deps apt-install build release static run test bench install uninstall \
        deb test-system clean

# Installs only what is missing; quiet and quick when everything is there.
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

bench-deps: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BENCH_PACKAGES)"

deb-deps: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(DEB_PACKAGES)"

system-deps: deb-deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(SYSTEM_PACKAGES)"

apt-install:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product feedwatch

# State of `make run` stays in ./.state unless the configuration names a state_dir.
run: build
	STATE_DIRECTORY=$${STATE_DIRECTORY:-$(CURDIR)/.state} .build/debug/feedwatch run -c $(CONFIG)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: bench-deps
	@Benchmarks/run.sh

# The release binary with the Swift runtime linked in, no RUNPATH and immediate binding (as Debian's
# hardening flags ask), in its own scratch path.
static: deps
	$(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath -Xlinker -z -Xlinker now \
	    --product feedwatch --scratch-path $(STATIC_SCRATCH)

# swift-argument-parser's generate-manual, the tool its generate-manual plugin runs, built on its own:
# the plugin would first build every product of this package (the benchmarks too) in release mode.
MANUAL_TOOL := .build-manual/release/generate-manual
$(MANUAL_TOOL): | static
	$(SWIFT) build -c release --package-path $(STATIC_SCRATCH)/checkouts/swift-argument-parser \
	    --scratch-path .build-manual --product generate-manual

# feedwatch_VERSION_ARCH.deb, assembled with dpkg-deb (see packaging/deb/build.sh), then checked by lintian.
deb: deb-deps static $(MANUAL_TOOL)
	DEB_MAINTAINER="$(DEB_MAINTAINER)" packaging/deb/build.sh $(STATIC_BIN) $(MANUAL_TOOL) $(VERSION) $(DEB_ARCH) \
	    $(DEB_BUILD) $(DEB)
	lintian --fail-on error,warning $(DEB)

# The package installed and run under a real systemd (PID 1 of a Debian 12 container): see Tests/system/run.sh.
test-system: system-deps deb
	$(SUDO) Tests/system/run.sh $(DEB)

# docs/status-page.png: the status page of a demo daemon, taken by headless chromium (contrib/screenshot.sh).
.PHONY: screenshot
screenshot: build
	contrib/screenshot.sh .build/debug/feedwatch docs/status-page.png

install: release
	install -D -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/feedwatch
	sed 's|@BINDIR@|$(PREFIX)/bin|g' systemd/feedwatch.service > feedwatch.service.tmp
	install -D -m 0644 feedwatch.service.tmp $(DESTDIR)/etc/systemd/system/feedwatch.service
	rm -f feedwatch.service.tmp
	@if [ -e $(DESTDIR)/etc/feedwatch/feedwatch.yaml ]; then \
	    echo "keeping existing /etc/feedwatch/feedwatch.yaml"; \
	else \
	    install -D -m 0644 config/feedwatch.yaml $(DESTDIR)/etc/feedwatch/feedwatch.yaml; \
	    install -m 0644 config/sample-feed.xml $(DESTDIR)/etc/feedwatch/sample-feed.xml; \
	fi
	-[ -z "$(DESTDIR)" ] && systemctl daemon-reload 2>/dev/null || true

uninstall:
	-systemctl disable --now feedwatch 2>/dev/null || true
	rm -f $(DESTDIR)$(PREFIX)/bin/feedwatch $(DESTDIR)/etc/systemd/system/feedwatch.service
	-[ -z "$(DESTDIR)" ] && systemctl daemon-reload 2>/dev/null || true
	@echo "left /etc/feedwatch and /var/lib/feedwatch in place; remove them by hand to forget all state"

clean:
	rm -rf .build $(STATIC_SCRATCH) .build-manual $(DEB_BUILD) feedwatch_*.deb
