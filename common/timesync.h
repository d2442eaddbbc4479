/* timesync: tell systemd the clock is set.  After a successful set,
 * ntpupdate touches /run/systemd/timesync/synchronized, the flag
 * systemd-time-wait-sync.service waits for, so units ordered after
 * time-sync.target can go on.  Only on a machine booted with systemd. */
#ifndef TIMESYNC_H
#define TIMESYNC_H

#define TSY_BOOTED "/run/systemd/system"
#define TSY_DIR "/run/systemd/timesync"
#define TSY_FLAG "synchronized"

/* Before privileges are dropped: when root (a directory standing in for
 * /, for tests) shows a systemd boot, make TSY_DIR if missing and open
 * it.  A directory descriptor, or -1 (not systemd, or not possible). */
int TSY_open(const char *root);

/* Create or touch TSY_FLAG in the directory dirfd (from TSY_open), then
 * close dirfd.  0, or -1 with errno (dirfd < 0: -1, nothing done). */
int TSY_mark(int dirfd);

#endif
