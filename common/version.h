/* version: the release string and the build date (a safety floor). */
#ifndef VERSION_H
#define VERSION_H

#define NTPUPDATE_VERSION "0.1.0"

/* Unix time of the build (from the Makefile); the clock is never stepped
 * to before it. */
#ifndef NTPUPDATE_BUILD_EPOCH
#define NTPUPDATE_BUILD_EPOCH 1767225600LL /* 2026-01-01 */
#endif

#endif
