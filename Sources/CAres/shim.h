#ifndef CARES_SHIM_H
#define CARES_SHIM_H
/* c-ares (Debian's libc-ares-dev): the asynchronous resolver behind the rules' DNS lists. */
#include <ares.h>
#include <arpa/nameser.h>
#endif
