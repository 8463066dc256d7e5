/* util.c - the simulator's clocks, accurate sleeping, wire time, counters, logging and ptys. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sim.h"

static pthread_mutex_t stat_lock = PTHREAD_MUTEX_INITIALIZER;

void
sim_log(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "meter-sim: %s\n", buf);
}

int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
mono_ms(void)
{
	return mono_ns() / 1000000;
}

/* Absolute sleeps do not drift the way a chain of relative ones does. */
void
sleep_until_ns(int64_t t)
{
	struct timespec ts;

	ts.tv_sec = t / 1000000000;
	ts.tv_nsec = t % 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

int64_t
sim_now_ms(void)
{
	return sim.sim_base_ms + (mono_ms() - sim.mono_base_ms) * sim.speed;
}

void
stat_inc(int which)
{
	pthread_mutex_lock(&stat_lock);
	sim.stats[which]++;
	pthread_mutex_unlock(&stat_lock);
}

void
stat_reset(void)
{
	pthread_mutex_lock(&stat_lock);
	for (int i = 0; i < ST_COUNT; i++)
		sim.stats[i] = 0;
	pthread_mutex_unlock(&stat_lock);
}

unsigned long
stat_get(int which)
{
	unsigned long v;

	pthread_mutex_lock(&stat_lock);
	v = sim.stats[which];
	pthread_mutex_unlock(&stat_lock);
	return v;
}

/* splitmix64's finaliser: the seeded, deterministic randomness of the site. */
uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* One character at 9600 8E1: 11 bits. */
int64_t
char_ns(void)
{
	return 11LL * 1000000000 / 9600;
}

/* Both frames, a 3.5-character silence after each; the turnaround is apart. */
int64_t
wire_ns(int req_bytes, int resp_bytes)
{
	return (int64_t)(req_bytes + resp_bytes) * char_ns() +
	    2 * (char_ns() * 7 / 2);
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Opens a pty master in raw mode at 9600 8E1 and points LINK at its slave.
 * The slave stays open in *SLAVE so that the master never reads EIO while
 * no client has the line open. Returns the master, or -1 with errno.
 */
int
pty_open_link(const char *link, int *slave)
{
	struct termios tio;
	const char *name;
	int m, s = -1, err;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (grantpt(m) == -1 || unlockpt(m) == -1 ||
	    (name = ptsname(m)) == NULL)
		goto fail;
	if ((s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		goto fail;
	if (tcgetattr(s, &tio) == -1)
		goto fail;
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD | PARENB;
	tio.c_cflag &= ~(PARODD | CSTOPB);
	cfsetispeed(&tio, B9600);
	cfsetospeed(&tio, B9600);
	if (tcsetattr(s, TCSANOW, &tio) == -1)
		goto fail;
	if (unlink(link) == -1 && errno != ENOENT)
		goto fail;
	if (symlink(name, link) == -1)
		goto fail;
	*slave = s;
	return m;
fail:
	err = errno;
	if (s != -1)
		close(s);
	close(m);
	errno = err;
	return -1;
}
