#ifndef CPCRE2_SHIM_H
#define CPCRE2_SHIM_H
/* Expose the 8-bit code unit API (pcre2_*_8) to Swift. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
