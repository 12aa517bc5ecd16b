# feedwatch — `make run` and `make test` work on a fresh Debian 12 machine.
SWIFT        ?= swift
PREFIX       ?= /usr/local
CONFIG       ?= config/feedwatch.yaml
APT_PACKAGES := libcurl4-openssl-dev libxml2-dev libsystemd-dev libsqlite3-dev libuchardet-dev pkg-config \
                systemd curl python3-aiosmtpd
# The benchmarks also serve 10,000 feeds with nginx.
BENCH_PACKAGES := nginx-light
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN   = .build/release/feedwatch

.PHONY: deps bench-deps apt-install build release run test bench install uninstall clean

# Installs only what is missing; quiet and quick when everything is there.
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

bench-deps: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BENCH_PACKAGES)"

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
	rm -rf .build
