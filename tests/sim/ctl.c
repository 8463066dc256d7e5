/* ctl.c - the control socket: one command a line, one reply line (ok ... / err ...); and its client. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim.h"

#define CTL_MAX_CLIENTS	32
#define CTL_LINE	1024
#define REPLY_MAX	65536

static int ctl_fd = -1;

struct ctl_client {
	int	fd;
	size_t	len;
	char	buf[CTL_LINE];
};

static const char *fault_names[FAULT_COUNT] = {
	"none", "silent", "slow", "exception", "wrong-unit", "wrong-tid",
	"garbage", "truncated", "crc"
};

static const struct {
	int		 stat;
	const char	*name;
} stat_names[] = {
	{ ST_REQUESTS, "requests" },
	{ ST_REPLIES, "replies" },
	{ ST_EXC01, "exc01" },
	{ ST_EXC02, "exc02" },
	{ ST_EXC03, "exc03" },
	{ ST_EXC04, "exc04" },
	{ ST_EXC0A, "exc0a" },
	{ ST_EXC0B, "exc0b" },
	{ ST_EXC_OTHER, "exc_other" },
	{ ST_TOKENS_APPLIED, "tokens_applied" },
	{ ST_TOKENS_REPEATED, "tokens_repeated" },
	{ ST_TOKENS_REFUSED, "tokens_refused" },
	{ ST_BAD_TOKENS, "bad_tokens" },
	{ ST_MALFORMED, "malformed" },
	{ ST_CRC_BAD, "crc_bad" },
	{ ST_RTU_FRAMES, "rtu_frames" },
	{ ST_RTU_IGNORED, "rtu_ignored" },
	{ ST_CONNECTIONS, "connections" },
	{ ST_DOWN_DROPPED, "down_dropped" },
	{ ST_F_SILENT, "f_silent" },
	{ ST_F_SLOW, "f_slow" },
	{ ST_F_EXCEPTION, "f_exception" },
	{ ST_F_WRONG_UNIT, "f_wrong_unit" },
	{ ST_F_WRONG_TID, "f_wrong_tid" },
	{ ST_F_GARBAGE, "f_garbage" },
	{ ST_F_TRUNCATED, "f_truncated" },
	{ ST_F_CRC, "f_crc" },
	{ ST_SMS_PARTS, "sms_parts" },
	{ ST_SMS_FULL, "sms_full" },
	{ ST_SMS_ERRORS, "sms_errors" },
	{ ST_AT_COMMANDS, "at_commands" },
};

static int
parse_ll(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static struct meter *
ctl_meter(const char *s, char *out, size_t size)
{
	long long v;
	struct meter *m;

	if (parse_ll(s, 0, 0xffffffffLL, &v) == -1) {
		snprintf(out, size, "err bad meter number");
		return NULL;
	}
	if ((m = site_meter((uint32_t)v)) == NULL)
		snprintf(out, size, "err no meter %lld", v);
	return m;
}

/* Called with sim.mlock held. */
static void
ctl_get(struct meter *m, char *out, size_t size)
{
	int64_t now = sim_now_ms();
	int64_t va = (int64_t)m->power * 1000 / (m->pf ? m->pf : 1000);

	snprintf(out, size, "ok number=%u port=%d addr=%d remaining=%" PRId64
	    " count=%u status=%u relay=%d energy=%u e0=%u e1=%u e2=%u e3=%u "
	    "power=%d bad_tokens=%u alarm1=%u alarm2=%u overdraft=%u "
	    "force_en=%u force_open=%u p0=%u p1=%u p2=%u p3=%u threshold=%u "
	    "clock=%" PRId64 " delay=%u voltage=%d current=%" PRId64
	    " pf=%d freq=%d load=%d profile=%d fault=%d",
	    m->number, m->bus->port, m->addr, m->remaining, m->count,
	    meter_status(m, now), m->relay, m->energy, m->e[0], m->e[1],
	    m->e[2], m->e[3], m->power, m->bad_tokens, m->alarm1, m->alarm2,
	    m->overdraft, m->force_en, m->force_open, m->price[0],
	    m->price[1], m->price[2], m->price[3], m->threshold,
	    now / 1000 + m->clock_off, m->restore_delay, m->voltage,
	    m->voltage > 0 ? va * 1000 / m->voltage : 0, m->pf, m->freq,
	    m->fixed_load, m->profile, m->fault);
}

/* KEY=VALUE settings for test set-up. Called with sim.mlock held. */
static int
ctl_set(struct meter *m, char **args, int nargs, char *out, size_t size)
{
	for (int i = 0; i < nargs; i++) {
		char *eq = strchr(args[i], '=');
		const char *k = args[i];
		long long v;

		if (eq == NULL || parse_ll(eq + 1, -2147483648LL, 4294967295LL,
		    &v) == -1) {
			snprintf(out, size, "err bad setting %s", args[i]);
			return -1;
		}
		*eq = '\0';
		if (strcmp(k, "remaining") == 0 && v <= 0x7fffffff)
			m->remaining = v;
		else if (strcmp(k, "count") == 0 && v >= 0 && v <= 0xffff)
			m->count = (uint16_t)v;
		else if ((strcmp(k, "power") == 0 || strcmp(k, "load") == 0) &&
		    v >= -1 && v <= 32767)
			m->fixed_load = (int)v;
		else if (strcmp(k, "energy") == 0 && v >= 0)
			m->energy = (uint32_t)v;
		else if (k[0] == 'e' && k[1] >= '0' && k[1] <= '3' &&
		    k[2] == '\0' && v >= 0)
			m->e[k[1] - '0'] = (uint32_t)v;
		else if (k[0] == 'p' && k[1] >= '0' && k[1] <= '3' &&
		    k[2] == '\0' && v >= 0)
			m->price[k[1] - '0'] = (uint32_t)v;
		else if (strcmp(k, "bad_tokens") == 0 && v >= 0 && v <= 0xffff)
			m->bad_tokens = (uint16_t)v;
		else if (strcmp(k, "alarm1") == 0 && v >= 0 && v <= 0x7fffffff)
			m->alarm1 = (uint32_t)v;
		else if (strcmp(k, "alarm2") == 0 && v >= 0 && v <= 0x7fffffff)
			m->alarm2 = (uint32_t)v;
		else if (strcmp(k, "overdraft") == 0 && v >= 0 &&
		    v <= 0x7fffffff)
			m->overdraft = (uint32_t)v;
		else if (strcmp(k, "force_en") == 0 && (v == 0 || v == 1))
			m->force_en = (uint16_t)v;
		else if (strcmp(k, "force_open") == 0 && (v == 0 || v == 1))
			m->force_open = (uint16_t)v;
		else if (strcmp(k, "threshold") == 0 && v >= 0 && v <= 0xffff)
			m->threshold = (uint16_t)v;
		else if (strcmp(k, "delay") == 0 && v >= 0 && v <= 0xffff)
			m->restore_delay = (uint16_t)v;
		else if (strcmp(k, "clock") == 0 && v >= 0)
			m->clock_off = v - sim_now_ms() / 1000;
		else if (strcmp(k, "fault_bit") == 0 && (v == 0 || v == 1))
			m->fault_bit = (int)v;
		else {
			snprintf(out, size, "err bad setting %s", k);
			return -1;
		}
	}
	if (m->threshold == 0)
		m->overload_until = 0;
	meter_eval(m, sim_now_ms());
	/* a master meter's set power shows at once, not from the next tick */
	if (m->profile == PROF_ENERGY && m->fixed_load >= 0)
		m->power = m->fixed_load;
	ctl_get(m, out, size);
	return 0;
}

static int
ctl_fault(struct meter *m, char **args, int nargs, char *out, size_t size)
{
	long long v = 0;
	int f;

	for (f = 0; f < FAULT_COUNT; f++)
		if (nargs > 0 && strcmp(args[0], fault_names[f]) == 0)
			break;
	if (f == FAULT_COUNT) {
		snprintf(out, size, "err unknown fault");
		return -1;
	}
	if (f == FAULT_SLOW && (nargs != 2 ||
	    parse_ll(args[1], 0, 60000, &v) == -1)) {
		snprintf(out, size, "err slow <ms>");
		return -1;
	}
	/* libmodbus answers exception codes 1..11 only. */
	if (f == FAULT_EXCEPTION && (nargs != 2 ||
	    parse_ll(args[1], 1, 11, &v) == -1)) {
		snprintf(out, size, "err exception <1..11>");
		return -1;
	}
	m->fault = f;
	m->fault_arg = (int)v;
	snprintf(out, size, "ok number=%u fault=%s arg=%lld", m->number,
	    fault_names[f], v);
	return 0;
}

static int
ctl_down(int first, int last, const char *what, char *out, size_t size)
{
	int d, n = 0;

	if (strcmp(what, "down-refuse") == 0)
		d = BUS_DOWN_REFUSE;
	else if (strcmp(what, "down-silent") == 0)
		d = BUS_DOWN_SILENT;
	else if (strcmp(what, "up") == 0)
		d = BUS_UP;
	else {
		snprintf(out, size, "err down-refuse|down-silent|up");
		return -1;
	}
	for (int i = 0; i < sim.nbus; i++)
		if (sim.buses[i].port >= first && sim.buses[i].port <= last) {
			sim.buses[i].down = d;
			n++;
		}
	if (n == 0) {
		snprintf(out, size, "err no such bus");
		return -1;
	}
	snprintf(out, size, "ok buses=%d %s", n, what);
	return 0;
}

static void
ctl_stats(char *out, size_t size)
{
	size_t len = (size_t)snprintf(out, size, "ok");

	for (size_t i = 0; i < sizeof(stat_names) / sizeof(stat_names[0]) &&
	    len < size; i++)
		len += (size_t)snprintf(out + len, size - len, " %s=%lu",
		    stat_names[i].name, stat_get(stat_names[i].stat));
}

/* Runs the simulated clock forward SECS seconds, a minute a step. */
static void
ctl_advance(long long secs)
{
	while (secs > 0) {
		long long step = secs > 60 ? 60 : secs;

		sim.sim_base_ms += step * 1000;
		meter_advance_all(sim_now_ms());
		secs -= step;
	}
}

/* One command line into OUT (one line, no newline). */
static void
ctl_command(char *line, char *out, size_t size)
{
	char *args[40], *save = NULL, *tok;
	int n = 0;
	long long v, v2;
	struct meter *m;

	while (n < 40 && (tok = strtok_r(n ? NULL : line, " \t\r\n",
	    &save)) != NULL)
		args[n++] = tok;
	if (n == 0) {
		snprintf(out, size, "err empty command");
		return;
	}
	if (strcmp(args[0], "get") == 0 && n == 2) {
		pthread_mutex_lock(&sim.mlock);
		if ((m = ctl_meter(args[1], out, size)) != NULL)
			ctl_get(m, out, size);
		pthread_mutex_unlock(&sim.mlock);
	} else if (strcmp(args[0], "set") == 0 && n >= 3) {
		pthread_mutex_lock(&sim.mlock);
		if ((m = ctl_meter(args[1], out, size)) != NULL)
			ctl_set(m, args + 2, n - 2, out, size);
		pthread_mutex_unlock(&sim.mlock);
	} else if (strcmp(args[0], "load") == 0 && n == 2 &&
	    (strcmp(args[1], "on") == 0 || strcmp(args[1], "off") == 0)) {
		pthread_mutex_lock(&sim.mlock);
		sim.load_on = strcmp(args[1], "on") == 0;
		meter_advance_all(sim_now_ms());
		pthread_mutex_unlock(&sim.mlock);
		snprintf(out, size, "ok load=%s", args[1]);
	} else if (strcmp(args[0], "load") == 0 && n == 3) {
		pthread_mutex_lock(&sim.mlock);
		if ((m = ctl_meter(args[1], out, size)) == NULL)
			;
		else if (strcmp(args[2], "auto") == 0) {
			m->fixed_load = -1;
			meter_eval(m, sim_now_ms());
			ctl_get(m, out, size);
		} else if (parse_ll(args[2], 0, 32767, &v) == -1)
			snprintf(out, size, "err load <W>|auto");
		else {
			m->fixed_load = (int)v;
			meter_eval(m, sim_now_ms());
			ctl_get(m, out, size);
		}
		pthread_mutex_unlock(&sim.mlock);
	} else if (strcmp(args[0], "fault") == 0 && n >= 3) {
		pthread_mutex_lock(&sim.mlock);
		if ((m = ctl_meter(args[1], out, size)) != NULL)
			ctl_fault(m, args + 2, n - 2, out, size);
		pthread_mutex_unlock(&sim.mlock);
	} else if (strcmp(args[0], "gateway") == 0 && n == 3) {
		if (parse_ll(args[1], 1, 64, &v) == -1)
			snprintf(out, size, "err gateway <g>");
		else
			ctl_down(15020 + 4 * (int)(v - 1),
			    15020 + 4 * (int)(v - 1) + 3, args[2], out, size);
	} else if (strcmp(args[0], "bus") == 0 && n == 3) {
		if (parse_ll(args[1], 1, 65535, &v) == -1)
			snprintf(out, size, "err bus <port>");
		else
			ctl_down((int)v, (int)v, args[2], out, size);
	} else if (strcmp(args[0], "modem") == 0 && n == 4 &&
	    strcmp(args[1], "error") == 0) {
		if (parse_ll(args[2], 0, 65535, &v) == -1 ||
		    parse_ll(args[3], 0, 86400 * 365, &v2) == -1)
			snprintf(out, size, "err modem error <code> <seconds>");
		else {
			pthread_mutex_lock(&sim.modem_lock);
			sim.modem_err = (int)v;
			sim.modem_err_until = mono_ms() + v2 * 1000;
			pthread_mutex_unlock(&sim.modem_lock);
			snprintf(out, size, "ok modem error=%lld seconds=%lld",
			    v, v2);
		}
	} else if (strcmp(args[0], "modem") == 0 && n == 4 &&
	    strcmp(args[1], "failpart") == 0) {
		if (parse_ll(args[2], 1, 255, &v) == -1 ||
		    parse_ll(args[3], 0, 1000, &v2) == -1)
			snprintf(out, size, "err modem failpart <part> <times>");
		else {
			pthread_mutex_lock(&sim.modem_lock);
			sim.modem_fail_part = (int)v;
			sim.modem_fail_count = (int)v2;
			pthread_mutex_unlock(&sim.modem_lock);
			snprintf(out, size, "ok modem failpart=%lld times=%lld",
			    v, v2);
		}
	} else if (strcmp(args[0], "modem") == 0 && n == 4 &&
	    strcmp(args[1], "swallow") == 0) {
		if (parse_ll(args[2], 1, 255, &v) == -1 ||
		    parse_ll(args[3], 0, 1000, &v2) == -1)
			snprintf(out, size, "err modem swallow <part> <times>");
		else {
			pthread_mutex_lock(&sim.modem_lock);
			sim.modem_swallow_part = (int)v;
			sim.modem_swallow = (int)v2;
			pthread_mutex_unlock(&sim.modem_lock);
			snprintf(out, size, "ok modem swallow=%lld times=%lld",
			    v, v2);
		}
	} else if (strcmp(args[0], "modem") == 0 && n == 3 &&
	    strcmp(args[1], "delay") == 0) {
		if (parse_ll(args[2], 0, 60000, &v) == -1)
			snprintf(out, size, "err modem delay <ms>");
		else {
			pthread_mutex_lock(&sim.modem_lock);
			sim.modem_delay_ms = (int)v;
			pthread_mutex_unlock(&sim.modem_lock);
			snprintf(out, size, "ok modem delay=%lld", v);
		}
	} else if (strcmp(args[0], "modem") == 0 && n == 2 &&
	    strcmp(args[1], "ok") == 0) {
		pthread_mutex_lock(&sim.modem_lock);
		sim.modem_err = 0;
		sim.modem_err_until = 0;
		sim.modem_fail_part = sim.modem_fail_count = 0;
		sim.modem_swallow = 0;
		sim.modem_delay_ms = 0;
		pthread_mutex_unlock(&sim.modem_lock);
		snprintf(out, size, "ok modem ok");
	} else if (strcmp(args[0], "stats") == 0 && n == 1) {
		ctl_stats(out, size);
	} else if (strcmp(args[0], "stats") == 0 && n == 2 &&
	    strcmp(args[1], "reset") == 0) {
		stat_reset();
		snprintf(out, size, "ok stats reset");
	} else if (strcmp(args[0], "save") == 0 && n == 1) {
		if (state_save(sim.state_path) == -1)
			snprintf(out, size, "err save: %s", strerror(errno));
		else
			snprintf(out, size, "ok saved %s", sim.state_path);
	} else if (strcmp(args[0], "time") == 0 && n == 1) {
		snprintf(out, size, "ok time=%" PRId64 " speed=%d",
		    sim_now_ms() / 1000, sim.speed);
	} else if (strcmp(args[0], "advance") == 0 && n == 2) {
		if (parse_ll(args[1], 1, 86400 * 366, &v) == -1)
			snprintf(out, size, "err advance <seconds>");
		else {
			pthread_mutex_lock(&sim.mlock);
			ctl_advance(v);
			pthread_mutex_unlock(&sim.mlock);
			snprintf(out, size, "ok time=%" PRId64,
			    sim_now_ms() / 1000);
		}
	} else if (strcmp(args[0], "list") == 0 && n == 1) {
		size_t len = (size_t)snprintf(out, size, "ok n=%d", sim.nmeter);

		for (int i = 0; i < sim.nmeter && len < size; i++)
			len += (size_t)snprintf(out + len, size - len, " %u",
			    sim.meters[i].number);
	} else if (strcmp(args[0], "help") == 0) {
		snprintf(out, size, "ok get set load fault gateway bus modem "
		    "stats save time advance list help");
	} else
		snprintf(out, size, "err unknown command or arguments: %s",
		    args[0]);
}

int
ctl_open(const char *path)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	unlink(path);
	if (bind(ctl_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(ctl_fd, 16) == -1) {
		int err = errno;

		close(ctl_fd);
		ctl_fd = -1;
		errno = err;
		return -1;
	}
	return 0;
}

static int
ctl_read(struct ctl_client *c, char *reply)
{
	ssize_t n;
	char *nl;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n')) != NULL) {
		size_t rl;

		*nl = '\0';
		ctl_command(c->buf, reply, REPLY_MAX - 1);
		rl = strlen(reply);
		reply[rl++] = '\n';
		if (write_all(c->fd, reply, rl) == -1)
			return -1;
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1)
		return -1;	/* a line longer than any command */
	return 0;
}

void *
ctl_main(void *arg)
{
	struct ctl_client cl[CTL_MAX_CLIENTS];
	struct pollfd pfd[CTL_MAX_CLIENTS + 1];
	char *reply;
	int ncl = 0;

	(void)arg;
	if ((reply = malloc(REPLY_MAX)) == NULL)
		return NULL;
	while (!sim.stop) {
		int n = 0;

		pfd[n].fd = ctl_fd;
		pfd[n++].events = POLLIN;
		for (int i = 0; i < ncl; i++) {
			pfd[n].fd = cl[i].fd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, 100) <= 0)
			continue;
		for (int i = ncl - 1; i >= 0; i--) {
			if (pfd[1 + i].revents == 0)
				continue;
			if (ctl_read(&cl[i], reply) == -1) {
				close(cl[i].fd);
				cl[i] = cl[--ncl];
			}
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);

			if (fd != -1 && ncl == CTL_MAX_CLIENTS)
				close(fd);
			else if (fd != -1) {
				cl[ncl].fd = fd;
				cl[ncl].len = 0;
				ncl++;
			}
		}
	}
	for (int i = 0; i < ncl; i++)
		close(cl[i].fd);
	close(ctl_fd);
	unlink(sim.ctl_path);
	free(reply);
	return NULL;
}

/*
 * meter-sim --ctl PATH [COMMAND ...]: sends each command (or each line of
 * stdin) and prints each reply. Exit status 0 when every reply was "ok".
 */
int
ctl_client(const char *path, int argc, char **argv)
{
	struct sockaddr_un sun;
	char line[CTL_LINE];
	char *reply;
	FILE *in = NULL;
	int fd, bad = 0;
	size_t len;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "meter-sim: %s: path too long\n", path);
		return 2;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "meter-sim: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if ((reply = malloc(REPLY_MAX)) == NULL ||
	    (in = fdopen(fd, "r")) == NULL) {
		perror("meter-sim");
		return 2;
	}
	for (int i = 0; ; i++) {
		if (argc > 0 && i == argc)
			break;
		if (argc > 0)
			snprintf(line, sizeof(line), "%s\n", argv[i]);
		else if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		len = strcspn(line, "\n");
		line[len++] = '\n';
		if (write_all(fd, line, len) == -1 ||
		    fgets(reply, REPLY_MAX, in) == NULL) {
			fprintf(stderr, "meter-sim: %s: connection lost\n",
			    path);
			bad = 1;
			break;
		}
		fputs(reply, stdout);
		if (strncmp(reply, "ok", 2) != 0)
			bad = 1;
	}
	fflush(stdout);
	fclose(in);
	free(reply);
	return bad;
}
