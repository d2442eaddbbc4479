/* state: what the clock was last synchronised to, as ntpupdate records it
 * after a successful set and ntpserve serves it.  A small text file of
 * "key value" lines, written atomically (temporary file, fsync, rename),
 * read back with every field checked. */
#ifndef STATE_H
#define STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

struct eng_run;

#define STA_DEFAULT_PATH "/var/lib/ntpupdate/state"
#define STA_ENV "NTPUPDATE_STATE" /* overrides the path (tests, packaging) */
#define STA_MAX_FILE 4096         /* a longer file is refused */

struct sta_record {
	int stratum;             /* the upstream's stratum, 1..15 */
	int leap;                /* the upstream's leap indicator, 0..2 */
	uint32_t refid;          /* the upstream's reference ID for us, network order */
	double root_delay;       /* to the reference clock through the upstream, s */
	double root_disp;        /* at the set, s */
	struct timespec set_real; /* CLOCK_REALTIME just after the set */
	int64_t real_minus_boot; /* CLOCK_REALTIME - CLOCK_BOOTTIME then, ns */
	double slew;             /* correction still being slewed then, s (0: step) */
	char upstream[64];       /* the upstream's numeric address (informational) */
};

/* The path in force: $NTPUPDATE_STATE if set and non-empty, else the default. */
const char *STA_path(void);

/* RFC 5905 reference ID of an upstream address: the IPv4 address, or the
 * first four bytes of the MD5 hash of the IPv6 address.  Network order. */
uint32_t STA_refid(const struct sockaddr *sa);

/* Format r as the file's text.  Returns the length, or 0 if len is too small. */
size_t STA_format(const struct sta_record *r, char *buf, size_t len);

/* Parse the file's text (len bytes, no NUL needed).  Every key is
 * required once, every value range-checked.  Returns 0 and fills *r, or
 * -1 with a one-line reason in err and *r untouched. */
int STA_parse(const char *text, size_t len, struct sta_record *r, char *err, size_t errlen);

/* Read and parse path.  Returns 0, or -1 with err set. */
int STA_read(const char *path, struct sta_record *r, char *err, size_t errlen);

/* Write r to path atomically (mode 0644; the parent directory is made,
 * 0755, if missing).  Returns 0, or -1 with err set. */
int STA_write(const char *path, const struct sta_record *r, char *err, size_t errlen);

/* Read CLOCK_REALTIME and CLOCK_BOOTTIME as one pair: boottime on both
 * sides of realtime, again if the two reads were more than 100 us apart
 * (preempted), boottime taken at the midpoint. */
void STA_clocks(struct timespec *real, struct timespec *boot);

/* The record of a set just made from run's system peer, slew being the
 * correction still to be slewed (0 after a step); reads the clocks now.
 * Returns 0, or -1 when the peer has no good reply to take it from. */
int STA_from_run(const struct eng_run *run, double slew, struct sta_record *r);

#endif
