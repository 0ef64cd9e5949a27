#ifndef HIREDIS_SHIM_H
#define HIREDIS_SHIM_H
/* hiredis (Debian's libhiredis-dev): the RESP reply parser and command formatter behind the
   Redis store; the connection itself is driven by the filter's own poll loop. */
#include <hiredis/hiredis.h>
#endif
