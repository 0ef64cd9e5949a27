#ifndef CVECTORSCAN_SHIM_H
#define CVECTORSCAN_SHIM_H
/* Vectorscan (Hyperscan-compatible multi-pattern matching) from Debian's libvectorscan-dev:
 * the compile API (hs_compile_multi, hs_expression_info), block-mode scanning, scratch
 * space and database serialisation. */
#include <hs/hs.h>
#endif
