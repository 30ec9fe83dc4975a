# thumbnail: `make run` sets up, builds and thumbnails images/ into thumbs/; `make test` tests.
PREFIX ?= /usr/local
SWIFT ?= swift
# python3-pil, python3-numpy and libjpeg-turbo-progs are the tests' reference decoders (Pillow, djpeg);
# time (GNU time) measures peak memory in tests.
APT_PACKAGES = libturbojpeg0-dev libpng-dev pkg-config python3-pil python3-numpy libjpeg-turbo-progs time
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN = .build/release/thumbnail

.PHONY: deps build run test install clean bench fidelity

# Installs the C libraries' development packages when any is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@# BlurHash's reference decoder (PyPI) for the placeholder tests, for Debian's python3.
	@/usr/bin/python3 -c 'import blurhash' 2>/dev/null || { \
	  /usr/bin/python3 -m pip --version >/dev/null 2>&1 || \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-pip; \
	  $(SUDO) /usr/bin/python3 -m pip install -q --break-system-packages blurhash==1.1.5; }

build: deps
	$(SWIFT) build -c release --product thumbnail

run: build
	$(BIN) images/ --out thumbs/

test: deps
	$(SWIFT) build -c release --product thumbnail
	THUMBNAIL_BIN=$(CURDIR)/$(BIN) $(SWIFT) test

# The binary, a man page and bash/zsh/fish completions, all generated from the argument parser.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d .build/man
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/thumbnail
	$(SWIFT) package --allow-writing-to-directory .build/man generate-manual --output-directory .build/man
	install -m 644 .build/man/thumbnail.1 $(DESTDIR)$(PREFIX)/share/man/man1/thumbnail.1
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/thumbnail
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_thumbnail
	$(BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/thumbnail.fish

clean:
	rm -rf .build
	find thumbs -mindepth 1 ! -name .gitignore -delete

bench: build
	Benchmarks/bench.sh $(BENCH_DIR)

# PSNR against the reference rendering over real photos of every size (needs ../shared/tools).
fidelity: build
	Benchmarks/fidelity.sh
