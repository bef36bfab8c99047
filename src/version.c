// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The library's version, for programs that embed it (and for the CLI's
 * provenance line): the version of the code linked in, not of the header
 * the program was compiled against.
 */
#include "gigalloc.h"

const char *ga_version(void)
{
	return GA_VERSION_STRING;
}
