# Build and install filter-rules.
#
#   make                      release build
#   make install PREFIX=/usr/local [LIBEXECDIR=/usr/local/libexec/smtpd] [DESTDIR=...]
#
# OpenSMTPD 6.0.x runs filters as PATH_LIBEXEC/filter-NAME, so the binary is installed
# there too (as filter-rules); OpenSMTPD 6.6+ runs whatever proc-exec names, e.g.
# $(BINDIR)/filter-rules. Tables `pcre:FILE` run PATH_LIBEXEC/table-pcre (6.0.x).

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/smtpd
MANDIR     ?= $(PREFIX)/share/man
SWIFT      ?= swift

all:
	$(SWIFT) build -c release --product filter-rules
	$(SWIFT) build -c release --product table-pcre

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/filter-rules" $(DESTDIR)$(BINDIR)/filter-rules
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/filter-rules" $(DESTDIR)$(LIBEXECDIR)/filter-rules
	install -m 0644 man/filter-rules.8 $(DESTDIR)$(MANDIR)/man8/filter-rules.8
	install -m 0644 man/filter-rules.conf.5 $(DESTDIR)$(MANDIR)/man5/filter-rules.conf.5
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/table-pcre" $(DESTDIR)$(BINDIR)/table-pcre
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/table-pcre" $(DESTDIR)$(LIBEXECDIR)/table-pcre
	install -m 0644 man/table-pcre.8 $(DESTDIR)$(MANDIR)/man8/table-pcre.8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/filter-rules $(DESTDIR)$(LIBEXECDIR)/filter-rules
	rm -f $(DESTDIR)$(MANDIR)/man8/filter-rules.8 $(DESTDIR)$(MANDIR)/man5/filter-rules.conf.5
	rm -f $(DESTDIR)$(BINDIR)/table-pcre $(DESTDIR)$(LIBEXECDIR)/table-pcre $(DESTDIR)$(MANDIR)/man8/table-pcre.8

test:
	scripts/test

.PHONY: all install uninstall test
