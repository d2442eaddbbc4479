/* Unit tests: common/daemon against a made-up root (proc/, run/), so
 * every kind of daemon can be present or absent, live or stale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/timex.h>
#include <unistd.h>

#include "common/daemon.h"
#include "check_common.h"

static char root[64];

/* the kernel's discipline state: status, maximum error (us), offset,
 * frequency (ppm << 16) */
static const struct clk_kernel *
kern(int status, long maxerror_us, long offset, long freq)
{
	static struct clk_kernel k;
	k.status = status;
	k.maxerror_us = maxerror_us;
	k.offset = offset;
	k.freq = freq;
	return &k;
}

static void
put(const char *rel, const char *text)
{
	char path[256], dir[256], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	strcpy(dir, path);
	for (slash = dir + strlen(root) + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
fdlink(long pid, int fd, const char *target)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/proc/%ld/fd", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/%ld/fd/%d", root, pid, fd);
	ck_assert_int_eq(symlink(target, path), 0);
}

static void
setup(void)
{
	ck_tmpdir(root, "check_daemon");
}

static void
teardown(void)
{
	ck_rmtree(root);
}

#define UDP_HDR "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
/* A real /proc/net/udp of a machine running chronyd (port 123 = 0x007B)
 * and a resolver client on port 41000. */
#define UDP_CHRONY UDP_HDR \
	"  253: 00000000:007B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 23456 2 0000000000000000 0\n" \
	" 1012: 0100007F:A028 0100007F:0035 01 00000000:00000000 00:00000000 00000000  1000        0 99999 2 0000000000000000 0\n"
#define UDP6_CHRONY \
	"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" \
	"  253: 00000000000000000000000000000000:007B 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 23457 2 0000000000000000 0\n"

START_TEST(t_parse_udp_line)
{
	unsigned port = 7;
	unsigned long ino = 7;

	ck_assert_int_eq(DMN_parse_udp_line(UDP_HDR, &port, &ino), -1);
	ck_assert_uint_eq(port, 7);
	ck_assert_int_eq(DMN_parse_udp_line("  253: 00000000:007B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 23456 2 0000000000000000 0", &port, &ino), 0);
	ck_assert_uint_eq(port, 123);
	ck_assert_uint_eq(ino, 23456);
	ck_assert_int_eq(DMN_parse_udp_line("  253: 00000000000000000000000000000000:007B 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   108        0 777 2 0000000000000000 0", &port, &ino), 0);
	ck_assert_uint_eq(ino, 777);
	/* cut short, garbage, an out-of-range port: not understood */
	port = 9;
	ck_assert_int_eq(DMN_parse_udp_line("  253: 00000000:007B 00000000:0000 07", &port, &ino), -1);
	ck_assert_int_eq(DMN_parse_udp_line("", &port, &ino), -1);
	ck_assert_int_eq(DMN_parse_udp_line("  1: zz:007B", &port, &ino), -1);
	ck_assert_int_eq(DMN_parse_udp_line("  1: 00000000:1007B 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0", &port, &ino), -1);
	ck_assert_uint_eq(port, 9);
}
END_TEST

START_TEST(t_nothing)
{
	struct dmn_report r;

	put("proc/net/udp", UDP_HDR);
	ck_assert_uint_eq(DMN_detect(root, kern(STA_UNSYNC, 16000000, 0, 0), &r), 0);
	/* no proc at all, unknown kernel status: nothing, no crash */
	ck_assert_uint_eq(DMN_detect("/nonexistent", NULL, &r), 0);
}
END_TEST

START_TEST(t_port_owner_named)
{
	struct dmn_report r;

	put("proc/net/udp", UDP_CHRONY);
	put("proc/net/udp6", UDP6_CHRONY);
	put("proc/812/comm", "chronyd\n");
	put("proc/900/comm", "bash\n");
	fdlink(900, 0, "/dev/null");
	fdlink(812, 3, "socket:[1]");
	fdlink(812, 5, "socket:[23456]");
	fdlink(812, 6, "socket:[23457]");
	ck_assert_uint_eq(DMN_detect(root, kern(STA_UNSYNC, 16000000, 0, 0), &r), 1);
	ck_assert_str_eq(r.found[0].what, "chronyd (pid 812) is bound to UDP port 123");
}
END_TEST

START_TEST(t_port_owner_any_name)
{
	struct dmn_report r;

	/* the owner has no time daemon's name (found by the full scan);
	 * a chronyd that holds other sockets is not taken for it */
	put("proc/net/udp", UDP_CHRONY);
	put("proc/300/comm", "chronyd\n");
	fdlink(300, 3, "socket:[4444]");
	put("proc/812/comm", "mytimed\n");
	fdlink(812, 0, "/dev/null");
	fdlink(812, 7, "socket:[23456]");
	ck_assert_uint_eq(DMN_detect(root, kern(STA_UNSYNC, 16000000, 0, 0), &r), 1);
	ck_assert_str_eq(r.found[0].what, "mytimed (pid 812) is bound to UDP port 123");
}
END_TEST

START_TEST(t_port_owner_unknown)
{
	struct dmn_report r;

	/* the socket's owner cannot be seen (another user, no privilege) */
	put("proc/net/udp", UDP_CHRONY);
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	ck_assert_str_eq(r.found[0].what, "a process (socket inode 23456) is bound to UDP port 123");
}
END_TEST

START_TEST(t_ntpserve_is_no_daemon)
{
	struct dmn_report r;

	put("proc/net/udp", UDP_CHRONY);
	put("proc/77/comm", "ntpserve\n");
	fdlink(77, 4, "socket:[23456]");
	ck_assert_uint_eq(DMN_detect(root, kern(STA_UNSYNC, 16000000, 0, 0), &r), 0);
}
END_TEST

START_TEST(t_pidfile_live_and_stale)
{
	struct dmn_report r;
	char self[32];

	put("run/chrony/chronyd.pid", "4242\n");
	/* no process 4242: stale */
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	/* pid reused by another program: stale */
	put("proc/4242/comm", "sshd\n");
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	put("proc/4242/comm", "chronyd\n");
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	ck_assert_str_eq(r.found[0].what, "chronyd (pid 4242, /run/chrony/chronyd.pid) is running");
	/* garbage in the pid file: ignored */
	put("run/chrony/chronyd.pid", "42x\n");
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	put("run/chrony/chronyd.pid", "-1\n");
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	put("run/ntpd.pid", "17");
	put("proc/17/comm", "ntpd\n");
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	ck_assert_str_eq(r.found[0].what, "ntpd (pid 17, /run/ntpd.pid) is running");
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	ck_assert_int_eq(DMN_comm("", getpid(), self, sizeof(self)), 0);
	ck_assert_str_eq(self, "check_daemon");
}
END_TEST

START_TEST(t_units)
{
	struct dmn_report r;
	char path[256];

	put("run/systemd/units/.keep", "");
	snprintf(path, sizeof(path), "%s/run/systemd/units/invocation:systemd-timesyncd.service", root);
	ck_assert_int_eq(symlink("0123456789abcdef0123456789abcdef", path), 0);
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	ck_assert_str_eq(r.found[0].what, "systemd-timesyncd.service is running");
}
END_TEST

START_TEST(t_kernel_pll)
{
	struct dmn_report r;

	/* a running ntpd: PLL on, synchronised, 20 ms, correcting 12.5 ppm */
	ck_assert_uint_eq(DMN_detect(root, kern(STA_PLL, 20000, 0, 819200), &r), 1);
	ck_assert_ptr_nonnull(strstr(r.found[0].what, "PLL discipline"));
	ck_assert_ptr_nonnull(strstr(r.found[0].what, "frequency +12.500 ppm, maximum error 0.020 s"));
	/* working off an offset, no frequency yet */
	ck_assert_uint_eq(DMN_detect(root, kern(STA_PLL, 20000, 3000, 0), &r), 1);
	/* the maximum error not refreshed for half an hour: the daemon has
	 * gone (STA_PLL stays on for hours) */
	ck_assert_uint_eq(DMN_detect(root, kern(STA_PLL, DMN_MAXERROR_FRESH_US, 0, 819200), &r), 0);
	ck_assert_uint_eq(DMN_detect(root, kern(STA_PLL, 8000000, 0, 819200), &r), 0);
	/* a daemon that only initialised the kernel and left: nothing is
	 * being corrected */
	ck_assert_uint_eq(DMN_detect(root, kern(STA_PLL, 20000, 0, 0), &r), 0);
	/* PLL left on but no longer synchronised; a plain unsynchronised
	 * clock; an unknown state */
	ck_assert_uint_eq(DMN_detect(root, kern(STA_PLL | STA_UNSYNC, 20000, 0, 819200), &r), 0);
	ck_assert_uint_eq(DMN_detect(root, kern(STA_UNSYNC, 16000000, 0, 0), &r), 0);
	ck_assert_uint_eq(DMN_detect(root, kern(0, 20000, 0, 819200), &r), 0);
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
}
END_TEST

/* put a NUL-separated command line for pid */
static void
cmdline(long pid, const char *args, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/%ld/cmdline", root, pid);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(args, 1, len, f), len);
	fclose(f);
}

START_TEST(t_chronyd_x_is_no_daemon)
{
	struct dmn_report r;
	static const char with_x[] = "/usr/sbin/chronyd\0-x\0-u\0root\0-f\0/tmp/c.conf";
	static const char cluster[] = "chronyd\0-dx\0";
	static const char without[] = "/usr/sbin/chronyd\0-F\0" "1\0-u\0_chrony";
	static const char user_x[] = "chronyd\0-u\0x\0";

	/* on port 123 */
	put("proc/net/udp", UDP_CHRONY);
	put("proc/812/comm", "chronyd\n");
	fdlink(812, 5, "socket:[23456]");
	cmdline(812, with_x, sizeof(with_x));
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	cmdline(812, cluster, sizeof(cluster));
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	cmdline(812, without, sizeof(without));
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	/* "x" as the argument of -u is no -x */
	cmdline(812, user_x, sizeof(user_x));
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	/* by its pid file */
	put("proc/net/udp", UDP_HDR);
	put("run/chrony/chronyd.pid", "812\n");
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	cmdline(812, with_x, sizeof(with_x));
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
}
END_TEST

START_TEST(t_live_control_socket)
{
	struct dmn_report r;
	struct sockaddr_un sun;
	static const char with_x[] = "chronyd\0-x\0";
	static const char plain[] = "chronyd\0";
	char line[300];
	int fd;

	put("run/chrony/.keep", "");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/run/chrony/chronyd.sock", root);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	/* a live socket whose owner cannot be seen: a daemon */
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	ck_assert_str_eq(r.found[0].what, "chronyd answers on its control socket /run/chrony/chronyd.sock");
	/* its owner is a chronyd -x: no daemon; a plain chronyd: one */
	snprintf(line, sizeof(line), "Num       RefCount Protocol Flags    Type St Inode Path\n"
	    "0000000000000000: 00000002 00000000 00000000 0002 01 555 %s\n", sun.sun_path);
	put("proc/net/unix", line);
	put("proc/99/comm", "chronyd\n");
	fdlink(99, 3, "socket:[555]");
	cmdline(99, with_x, sizeof(with_x));
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	cmdline(99, plain, sizeof(plain));
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 1);
	close(fd);
}
END_TEST

START_TEST(t_stale_control_socket)
{
	struct dmn_report r;
	char path[256];

	/* a plain file where the socket should be: nothing */
	put("run/chrony/chronyd.sock", "");
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
	snprintf(path, sizeof(path), "%s/run/chrony/chronyd.sock", root);
	unlink(path);
	ck_assert_uint_eq(DMN_detect(root, NULL, &r), 0);
}
END_TEST

static Suite *
daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("detect");
	tcase_add_checked_fixture(tc, setup, teardown);
	ADD(tc, t_parse_udp_line);
	ADD(tc, t_nothing);
	ADD(tc, t_port_owner_named);
	ADD(tc, t_port_owner_any_name);
	ADD(tc, t_port_owner_unknown);
	ADD(tc, t_ntpserve_is_no_daemon);
	ADD(tc, t_pidfile_live_and_stale);
	ADD(tc, t_units);
	ADD(tc, t_kernel_pll);
	ADD(tc, t_stale_control_socket);
	ADD(tc, t_chronyd_x_is_no_daemon);
	ADD(tc, t_live_control_socket);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(daemon_suite)
