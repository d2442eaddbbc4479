/* Unit tests: common/net against real loopback sockets (the test runner
 * puts them in a private network namespace when it can). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/net.h"
#include "common/ntptime.h"
#include "check_common.h"

/* A counter from /proc/net/snmp ("Udp" row) or /proc/net/snmp6
 * ("Udp6OutDatagrams"-style lines); -1 when it cannot be read. */
static long long
udp_counter(int family, const char *name)
{
	char line[4096], head[4096];
	long long v = -1;
	FILE *f;

	if (family == AF_INET6) {
		char want[64];
		f = fopen("/proc/net/snmp6", "r");
		if (f == NULL)
			return -1;
		snprintf(want, sizeof(want), "Udp6%s", name);
		while (fgets(line, sizeof(line), f) != NULL) {
			char k[64];
			long long n;
			if (sscanf(line, "%63s %lld", k, &n) == 2 && strcmp(k, want) == 0)
				v = n;
		}
		fclose(f);
		return v;
	}
	f = fopen("/proc/net/snmp", "r");
	if (f == NULL)
		return -1;
	head[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Udp: ", 5) != 0)
			continue;
		if (head[0] == '\0') {
			snprintf(head, sizeof(head), "%s", line);
			continue;
		}
		/* second "Udp:" line: the values, in the order of the names */
		char *hs, *vs, *h = strtok_r(head + 5, " \n", &hs);
		char *val = strtok_r(line + 5, " \n", &vs);
		while (h != NULL && val != NULL) {
			if (strcmp(h, name) == 0)
				v = atoll(val);
			h = strtok_r(NULL, " \n", &hs);
			val = strtok_r(NULL, " \n", &vs);
		}
		break;
	}
	fclose(f);
	return v;
}

static int
have_v6_loopback(void)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), ok;

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

START_TEST(t_warm_sends_one_datagram_to_itself)
{
	long long out0 = udp_counter(AF_INET, "OutDatagrams");
	long long noport0 = udp_counter(AF_INET, "NoPorts");

	ck_assert(out0 >= 0 && noport0 >= 0);
	NET_warm(AF_INET);
	/* it went out through the stack... */
	ck_assert(udp_counter(AF_INET, "OutDatagrams") >= out0 + 1);
	/* ...to a port that was listening (our own), so no ICMP came of it
	 * (other traffic on the host could only raise NoPorts: in the
	 * test's private namespace there is none) */
	ck_assert(udp_counter(AF_INET, "NoPorts") == noport0 || getenv("NTP_TESTS_CONFINED") == NULL);
}
END_TEST

START_TEST(t_warm_v6)
{
	long long out0 = udp_counter(AF_INET6, "OutDatagrams");

	if (!have_v6_loopback()) {
		/* no ::1: the warm-up must quietly do nothing */
		NET_warm(AF_INET6);
		return;
	}
	ck_assert(out0 >= 0);
	NET_warm(AF_INET6);
	ck_assert(udp_counter(AF_INET6, "OutDatagrams") >= out0 + 1);
}
END_TEST

/* A "server" socket on 127.0.0.1, port chosen by the kernel. */
static int
server_socket(struct net_addr *a)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->sa;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert(fd >= 0);
	memset(a, 0, sizeof(*a));
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->len = sizeof(*s4);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a->sa, a->len), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a->sa, &a->len), 0);
	return fd;
}

START_TEST(t_exchange_kernel_timestamps)
{
	struct net_addr a;
	struct timespec t1, rx, before, after;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	struct pollfd p;
	char buf[64];
	int srv = server_socket(&a), fd, kts = -1, trunc = -1;
	long n;

	fd = NET_open(&a);
	ck_assert(fd >= 0);
	clock_gettime(CLOCK_REALTIME, &before);
	ck_assert_int_eq(NET_send(fd, "ping", 4, &t1), 0);
	ck_assert(NTT_timespec_diff(&t1, &before) >= 0);
	ck_assert_int_eq(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 4);
	ck_assert_int_eq(sendto(srv, "pong!", 5, 0, (struct sockaddr *)&from, fl), 5);
	p.fd = fd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	n = NET_recv(fd, buf, sizeof(buf), &rx, &kts, &trunc);
	clock_gettime(CLOCK_REALTIME, &after);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(memcmp(buf, "pong!", 5), 0);
	ck_assert_int_eq(kts, 1);
	ck_assert_int_eq(trunc, 0);
	/* the kernel stamped it between our send and now */
	ck_assert(NTT_timespec_diff(&rx, &t1) >= 0);
	ck_assert(NTT_timespec_diff(&after, &rx) >= 0);
	/* nothing more waiting */
	ck_assert_int_eq(NET_recv(fd, buf, sizeof(buf), &rx, &kts, &trunc), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(fd);
	close(srv);
}
END_TEST

START_TEST(t_truncated_and_foreign)
{
	struct net_addr a;
	struct timespec t1, rx;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	struct pollfd p;
	char big[200], buf[16];
	int srv = server_socket(&a), other, fd, kts, trunc = 0;

	memset(big, 'x', sizeof(big));
	fd = NET_open(&a);
	ck_assert(fd >= 0);
	ck_assert_int_eq(NET_send(fd, "q", 1, &t1), 0);
	ck_assert_int_eq(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 1);
	/* a datagram from another port never reaches the connected socket */
	other = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(sendto(other, "spoof", 5, 0, (struct sockaddr *)&from, fl), 5);
	/* an answer longer than the buffer is reported as truncated */
	ck_assert_int_eq(sendto(srv, big, sizeof(big), 0, (struct sockaddr *)&from, fl), (int)sizeof(big));
	p.fd = fd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	ck_assert_int_eq(NET_recv(fd, buf, sizeof(buf), &rx, &kts, &trunc), (long)sizeof(buf));
	ck_assert_int_eq(trunc, 1);
	ck_assert_int_eq(NET_recv(fd, buf, sizeof(buf), &rx, &kts, &trunc), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(other);
	close(fd);
	close(srv);
}
END_TEST

START_TEST(t_port_unreachable)
{
	struct net_addr a;
	struct timespec t1, rx;
	struct pollfd p;
	char buf[16];
	int srv = server_socket(&a), fd, kts, trunc;

	close(srv); /* nobody listens on that port now */
	fd = NET_open(&a);
	ck_assert(fd >= 0);
	ck_assert_int_eq(NET_send(fd, "q", 1, &t1), 0);
	p.fd = fd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	ck_assert_int_eq(NET_recv(fd, buf, sizeof(buf), &rx, &kts, &trunc), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	close(fd);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");
	ADD(tc, t_warm_sends_one_datagram_to_itself);
	ADD(tc, t_warm_v6);
	ADD(tc, t_exchange_kernel_timestamps);
	ADD(tc, t_truncated_and_foreign);
	ADD(tc, t_port_unreachable);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
