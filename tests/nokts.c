/* nokts: LD_PRELOAD shim that refuses SO_TIMESTAMPNS, so the tools read
 * every instant from clock_gettime().  Used beside faketime, which moves
 * clock_gettime() but not the kernel's receive timestamps: without it a
 * faked date would pair a 2001 send time with a real receive time. */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

int setsockopt(int fd, int level, int name, const void *val, socklen_t len);

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int (*real)(int, int, int, const void *, socklen_t);

	if (level == SOL_SOCKET && (name == SO_TIMESTAMPNS || name == SO_TIMESTAMP)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	return real(fd, level, name, val, len);
}
