# Build, install and package filter-rules and table-pcre.
#
#   make                      self-contained release binaries in $(RELEASE_BIN)
#   make install [PREFIX=/usr/local] [LIBEXECDIR=$(PREFIX)/libexec/opensmtpd] [DESTDIR=...]
#   make deb                  a Debian package (its path is the last line printed)
#
# The release binaries carry the Swift runtime inside (--static-swift-stdlib): they need
# no Swift toolchain where they run, only libc, libstdc++, libgcc_s, libm and libpcre2-8;
# filter-rules opens Vectorscan's libhs (Debian: libvectorscan5) at run time when it is there.
# They are built in their own scratch path, so the debug build in .build stays as it is,
# and without the RUNPATH $ORIGIN that SwiftPM adds (nothing is loaded from beside them).
#
# smtpd runs filters and tables from its PATH_LIBEXEC: OpenSMTPD 6.0.x as
# PATH_LIBEXEC/filter-NAME and PATH_LIBEXEC/table-BACKEND, OpenSMTPD 6.6+ a proc-exec
# command that does not start with "/" as PATH_LIBEXEC/COMMAND. OpenSMTPD-portable sets
# PATH_LIBEXEC to $(libexecdir)/opensmtpd (6.0.x and 6.6+ alike; /usr/local/libexec/opensmtpd
# by default, Debian's package /usr/libexec/opensmtpd; OpenBSD: .../libexec/smtpd), hence
# the default of LIBEXECDIR. The programs go into $(BINDIR) and are linked from there.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBEXECDIR  ?= $(PREFIX)/libexec/opensmtpd
MANDIR      ?= $(PREFIX)/share/man
SWIFT       ?= swift
INSTALL     ?= install
# Installed binaries are stripped (symbols are 45% of their size); STRIP_FLAG= keeps them.
STRIP_FLAG  ?= -s

RELEASE_SCRATCH ?= .build-release
RELEASE_BIN      = $(RELEASE_SCRATCH)/release
# Full RELRO (-z relro -z now), as Debian's hardening flags link programs.
RELEASE_FLAGS    = -c release --static-swift-stdlib --disable-local-rpath --scratch-path $(RELEASE_SCRATCH) \
                   -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now
PROGRAMS         = filter-rules table-pcre

all:
	$(SWIFT) build $(RELEASE_FLAGS) --product filter-rules
	$(SWIFT) build $(RELEASE_FLAGS) --product table-pcre

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	for program in $(PROGRAMS); do \
	  $(INSTALL) -m 0755 $(STRIP_FLAG) $(RELEASE_BIN)/$$program $(DESTDIR)$(BINDIR)/$$program && \
	  ln -sfr $(DESTDIR)$(BINDIR)/$$program $(DESTDIR)$(LIBEXECDIR)/$$program || exit 1; \
	done
	$(INSTALL) -m 0644 man/filter-rules.8 man/table-pcre.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 man/filter-rules.conf.5 $(DESTDIR)$(MANDIR)/man5/
	@echo "For the prefilter cache and the state of limits, lists and greylisting (filter-rules(8),"
	@echo "FILES), make their directories for the user smtpd runs filters as (Debian: opensmtpd;"
	@echo "OpenSMTPD's own builds: _smtpd), e.g.:"
	@echo "  install -d -m 0700 -o _smtpd /var/cache/filter-rules /var/lib/filter-rules"

uninstall:
	for program in $(PROGRAMS); do rm -f $(DESTDIR)$(BINDIR)/$$program $(DESTDIR)$(LIBEXECDIR)/$$program; done
	rm -f $(DESTDIR)$(MANDIR)/man8/filter-rules.8 $(DESTDIR)$(MANDIR)/man8/table-pcre.8
	rm -f $(DESTDIR)$(MANDIR)/man5/filter-rules.conf.5

deb: all
	scripts/build-deb

test:
	scripts/test

# Where `all` puts the binaries (scripts/test hands it to the tests).
release-bin-dir:
	@echo $(abspath $(RELEASE_BIN))

.PHONY: all install uninstall deb test release-bin-dir
