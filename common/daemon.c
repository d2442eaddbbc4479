/* daemon: detection of another time daemon (see daemon.h). */
#include "daemon.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/un.h>
#include <unistd.h>

/* Programs that serve time from the local clock without disciplining it:
 * their port 123 is no reason to stay away (ntpserve is ours). */
static const char *const serve_only[] = { "ntpserve" };

/* Pid files of the daemons that discipline the clock, with the command
 * name the process must have for the file not to be stale. */
static const struct {
	const char *path, *comm;
} pidfiles[] = {
	{ "/run/chrony/chronyd.pid", "chronyd" },
	{ "/run/chronyd.pid", "chronyd" },
	{ "/run/ntpd.pid", "ntpd" },
	{ "/run/ntpsec/ntpd.pid", "ntpd" },
	{ "/run/openntpd.pid", "ntpd" },
};

/* Control sockets: answering means a daemon is behind them. */
static const struct {
	const char *path, *name;
} ctlsockets[] = {
	{ "/run/chrony/chronyd.sock", "chronyd" },
};

/* systemd units that keep time; a running unit has an invocation link. */
static const char *const units[] = {
	"chrony.service", "chronyd.service", "ntpsec.service", "ntp.service",
	"ntpd.service", "openntpd.service", "systemd-timesyncd.service",
};

static void
add(struct dmn_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct dmn_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n >= DMN_MAX_FOUND)
		return;
	va_start(ap, fmt);
	vsnprintf(r->found[r->n].what, sizeof(r->found[r->n].what), fmt, ap);
	va_end(ap);
	r->n++;
}

static void
path_at(const char *root, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", root, path);
}

int
DMN_parse_udp_line(const char *line, unsigned *port, unsigned long *inode)
{
	char local[80];
	unsigned p, st, uid;
	unsigned long ino;
	int slot;

	/* "  sl  local_address rem_address st tx_queue:rx_queue tr:tm->when
	 *  retrnsmt uid timeout inode ..." */
	if (sscanf(line, " %d: %79[0-9A-Fa-f]:%4x %*[0-9A-Fa-f]:%*4x %2x %*x:%*x %*x:%*x %*x %u %*d %lu",
	        &slot, local, &p, &st, &uid, &ino) != 6)
		return -1;
	if (slot < 0 || p > 0xffff)
		return -1;
	*port = p;
	*inode = ino;
	return 0;
}

/* Read without stdio: the owner scan calls this once per process. */
int
DMN_comm(const char *root, long pid, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	if (pid <= 0 || len == 0)
		return -1;
	snprintf(path, sizeof(path), "%s/proc/%ld/comm", root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Command names that hold a port-123 or control socket on most machines
 * (as /proc shows them: cut at 15 characters).  Their processes are
 * looked at first: a full scan reads a link per descriptor of every
 * process, milliseconds on a busy machine. */
static const char *const likely_owners[] = {
	"chronyd", "ntpd", "systemd-timesyn", "openntpd", "ntpserve", "busybox",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when comm is one of the n names in list. */
static int
named(const char *comm, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(comm, list[i]) == 0)
			return 1;
	return 0;
}

/* 1 when process pid has a descriptor on "socket:[ino]" (want). */
static int
holds_socket(const char *root, long pid, const char *want)
{
	char dir[512], link[800], target[64];
	struct dirent *fd;
	DIR *fds;
	int found = 0;

	snprintf(dir, sizeof(dir), "%s/proc/%ld/fd", root, pid);
	fds = opendir(dir);
	if (fds == NULL)
		return 0;
	while (!found && (fd = readdir(fds)) != NULL) {
		ssize_t n;
		if (fd->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, fd->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, want) == 0;
	}
	closedir(fds);
	return found;
}

/* The process holding socket inode ino: its pid, or -1 (not found, or
 * not allowed to look).  First the processes with a likely name, then
 * every other one. */
static long
socket_owner(const char *root, unsigned long ino)
{
	char dir[512], want[64], comm[64];
	int pass;

	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	path_at(root, "/proc", dir, sizeof(dir));
	for (pass = 0; pass < 2; pass++) {
		DIR *proc = opendir(dir);
		struct dirent *p;
		long found = -1;

		if (proc == NULL)
			return -1;
		while (found < 0 && (p = readdir(proc)) != NULL) {
			char *end;
			long pid = strtol(p->d_name, &end, 10);
			int likely;
			if (*end != '\0' || pid <= 0)
				continue;
			likely = DMN_comm(root, pid, comm, sizeof(comm)) == 0 &&
			    named(comm, likely_owners, COUNT(likely_owners));
			if (likely == (pass == 0) && holds_socket(root, pid, want))
				found = pid;
		}
		closedir(proc);
		if (found > 0)
			return found;
	}
	return -1;
}

/* chronyd started with -x never touches the clock (a server only): an
 * argument "-x", or a cluster of chronyd's flag letters holding x. */
static int
hands_off(const char *root, long pid, const char *comm)
{
	char path[512], buf[4096];
	size_t n, i;
	FILE *f;

	if (strcmp(comm, "chronyd") != 0)
		return 0;
	snprintf(path, sizeof(path), "%s/proc/%ld/cmdline", root, pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (i = 0; i < n; i += strlen(buf + i) + 1) {
		const char *a = buf + i;
		if (a[0] == '-' && a[1] != '-' && a[1] != '\0' && strspn(a + 1, "dqQrRsvx46") == strlen(a + 1) &&
		    strchr(a + 1, 'x') != NULL)
			return 1;
	}
	return 0;
}

/* The inode of the unix socket bound at path, from /proc/net/unix; 0
 * when none is listed. */
static unsigned long
unix_inode(const char *root, const char *path)
{
	char file[512], line[700];
	unsigned long found = 0;
	FILE *f;

	snprintf(file, sizeof(file), "%s/proc/net/unix", root);
	f = fopen(file, "re");
	if (f == NULL)
		return 0;
	while (found == 0 && fgets(line, sizeof(line), f) != NULL) {
		char p[600] = "";
		unsigned long ino;
		if (sscanf(line, "%*x: %*x %*x %*x %*x %*x %lu %599s", &ino, p) == 2 && strcmp(p, path) == 0)
			found = ino;
	}
	fclose(f);
	return found;
}

static void
check_port(const char *root, const char *table, struct dmn_report *r)
{
	char path[512], line[512], comm[64];
	unsigned long seen[DMN_MAX_FOUND];
	size_t n_seen = 0, i;
	FILE *f;

	path_at(root, table, path, sizeof(path));
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned port;
		unsigned long ino;
		long pid;
		int dup = 0;

		if (DMN_parse_udp_line(line, &port, &ino) < 0 || port != DMN_NTP_PORT)
			continue;
		for (i = 0; i < n_seen; i++)
			dup |= seen[i] == ino;
		if (dup || n_seen >= DMN_MAX_FOUND)
			continue;
		seen[n_seen++] = ino;
		pid = ino != 0 ? socket_owner(root, ino) : -1;
		if (pid > 0 && DMN_comm(root, pid, comm, sizeof(comm)) == 0) {
			if (!named(comm, serve_only, COUNT(serve_only)) && !hands_off(root, pid, comm))
				add(r, "%s (pid %ld) is bound to UDP port %d", comm, pid, DMN_NTP_PORT);
		} else {
			add(r, "a process (socket inode %lu) is bound to UDP port %d", ino, DMN_NTP_PORT);
		}
	}
	fclose(f);
}

/* A second socket on port 123 of one process (IPv4 and IPv6) says
 * nothing new: keep one phrase per process. */
static void
dedup(struct dmn_report *r)
{
	size_t i, j, k;

	for (i = 0; i < r->n; i++)
		for (j = i + 1; j < r->n;) {
			if (strcmp(r->found[i].what, r->found[j].what) == 0) {
				for (k = j; k + 1 < r->n; k++)
					r->found[k] = r->found[k + 1];
				r->n--;
			} else {
				j++;
			}
		}
}

static void
check_pidfiles(const char *root, struct dmn_report *r)
{
	char path[512], buf[32], comm[64];
	size_t i;

	for (i = 0; i < sizeof(pidfiles) / sizeof(pidfiles[0]); i++) {
		FILE *f;
		char *end;
		long pid;

		path_at(root, pidfiles[i].path, path, sizeof(path));
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) == NULL) {
			fclose(f);
			continue;
		}
		fclose(f);
		pid = strtol(buf, &end, 10);
		if (end == buf || (*end != '\0' && *end != '\n') || pid <= 0)
			continue;
		/* a stale pid file names a dead process or a reused pid */
		if (DMN_comm(root, pid, comm, sizeof(comm)) < 0 || strcmp(comm, pidfiles[i].comm) != 0 ||
		    hands_off(root, pid, comm))
			continue;
		add(r, "%s (pid %ld, %s) is running", comm, pid, pidfiles[i].path);
	}
}

static void
check_sockets(const char *root, struct dmn_report *r)
{
	struct sockaddr_un sun;
	size_t i;

	for (i = 0; i < sizeof(ctlsockets) / sizeof(ctlsockets[0]); i++) {
		struct stat st;
		int fd;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		path_at(root, ctlsockets[i].path, sun.sun_path, sizeof(sun.sun_path));
		if (stat(sun.sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		/* a stale socket file refuses the connection */
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			unsigned long ino = unix_inode(root, sun.sun_path);
			long pid = ino != 0 ? socket_owner(root, ino) : -1;
			char comm[64];
			if (!(pid > 0 && DMN_comm(root, pid, comm, sizeof(comm)) == 0 && hands_off(root, pid, comm)))
				add(r, "%s answers on its control socket %s", ctlsockets[i].name, ctlsockets[i].path);
		}
		close(fd);
	}
}

static void
check_units(const char *root, struct dmn_report *r)
{
	char path[512];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		snprintf(path, sizeof(path), "%s/run/systemd/units/invocation:%s", root, units[i]);
		if (lstat(path, &st) == 0)
			add(r, "%s is running", units[i]);
	}
}

size_t
DMN_detect(const char *root, const struct clk_kernel *k, struct dmn_report *r)
{
	memset(r, 0, sizeof(*r));
	if (root == NULL)
		root = "";
	check_port(root, "/proc/net/udp", r);
	check_port(root, "/proc/net/udp6", r);
	dedup(r);
	check_pidfiles(root, r);
	check_sockets(root, r);
	check_units(root, r);
	/* A daemon disciplining the kernel clock turns the PLL on, marks the
	 * clock synchronised, keeps its maximum error fresh, and has it
	 * correct a frequency or work off an offset; a one-shot set does
	 * none of these, and a daemon that only initialised the kernel and
	 * left does not correct anything. */
	if (k != NULL && (k->status & STA_PLL) && !(k->status & STA_UNSYNC) && k->maxerror_us >= 0 &&
	    k->maxerror_us < DMN_MAXERROR_FRESH_US && (k->freq != 0 || k->offset != 0))
		add(r, "the kernel clock is under PLL discipline (adjtimex status %#x, frequency %+.3f ppm, "
		    "maximum error %.3f s)", (unsigned)k->status, k->freq / 65536.0, k->maxerror_us / 1e6);
	return r->n;
}
