# thumbnail: `make run` sets up, builds and thumbnails images/ into thumbs/; `make test` tests.
PREFIX ?= /usr/local
SWIFT ?= swift
# python3-pil, python3-numpy and libjpeg-turbo-progs are the tests' reference decoders (Pillow, djpeg);
# time (GNU time) measures peak memory in tests; webp (cwebp) is what WebP output is held against.
APT_PACKAGES = libturbojpeg0-dev libpng-dev pkg-config python3-pil python3-numpy libjpeg-turbo-progs libwebp-dev time webp
APT_PACKAGES += libseccomp-dev
# SQLite keeps the incremental state (RunState).
APT_PACKAGES += libsqlite3-dev
APT_PACKAGES += libgif-dev libtiff-dev
APT_PACKAGES += libisal-dev
# libheif1 decodes HEVC (libde265) with its plugins built in; libavif15 decodes AV1 (dav1d) and encodes it (aom).
# heif-convert (libheif-examples) and avifenc/avifdec (libavif-bin) are the tests' references.
APT_PACKAGES += libheif-dev libheif1 libavif-dev libavif15 libheif-examples libavif-bin
# Little CMS converts embedded ICC profiles to sRGB (--icc convert).
APT_PACKAGES += liblcms2-dev
# libdeflate compresses PNG output (Sources/CPNGWriter).
APT_PACKAGES += libdeflate-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN = .build/release/thumbnail

.PHONY: deps build run test install clean bench fidelity man deb dist package-test

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
	install -d $(DESTDIR)$(PREFIX)/share/thumbnailers
	install -m 644 packaging/thumbnail.thumbnailer $(DESTDIR)$(PREFIX)/share/thumbnailers/thumbnail.thumbnailer

clean:
	rm -rf .build
	find thumbs -mindepth 1 ! -name .gitignore -delete

bench: build
	$(SWIFT) build -c release --product sandbox-probe
	Benchmarks/bench.sh $(BENCH_DIR)
	Benchmarks/state-bench.sh

# PSNR against the reference rendering over real photos of every size (needs ../shared/tools).
fidelity: build
	Benchmarks/fidelity.sh

# The desktop tests' real clients: GIO (gio info), GLib's URI function (python3-gi), bubblewrap.
APT_PACKAGES += libglib2.0-bin python3-gi bubblewrap
# GNOME's thumbnail factory, for the test that runs the thumbnailer entry through it.
APT_PACKAGES += gir1.2-gnomedesktop-3.0 gsettings-desktop-schemas

# Packages (see packaging/): .build/packages/thumbnail_VERSION_amd64.deb and
# thumbnail-VERSION-linux-x86_64.tar.gz (+ .sha256); package-test proves both on clean bookworm roots.
PACKAGES = .build/packages
VERSION = $$($(BIN) --version)

man: build
	mkdir -p .build/man
	$(SWIFT) package --allow-writing-to-directory .build/man generate-manual --output-directory .build/man

deb: man
	packaging/deb.sh $(BIN) .build/man/thumbnail.1 $(PACKAGES)

dist: man
	packaging/dist.sh $(BIN) $(PACKAGES)

# Not part of `make test`: it debootstraps Debian roots from the network (about 2 min measured here, after the packages are built).
package-test: deb dist
	@command -v debootstrap >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq debootstrap; }
	$(SUDO) packaging/package-test.sh $(PACKAGES)/thumbnail_$(VERSION)_$$(dpkg --print-architecture).deb \
	  $(PACKAGES)/thumbnail-$(VERSION)-linux-x86_64.tar.gz images
