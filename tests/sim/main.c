/* main.c - meter-sim: simulated gateways, meters and SMS modem for tests; command line, threads, clean exit. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sim.h"

#define TICK_MS		100
#define SAVE_EVERY_S	10

struct sim sim;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: meter-sim --state FILE --key FILE --control SOCKETPATH\n"
	    "           [--site FILE | --reference] [--bind 127.0.0.1]\n"
	    "           [--speed N] [--wire] [--turnaround MS] [--threads N]\n"
	    "           [--rtu PORT=PTYLINK ...] [--rtu-only]\n"
	    "           [--modem PTYLINK --sms-out FILE] [--no-load]"
	    " [--seed N]\n"
	    "       meter-sim --ctl SOCKETPATH [COMMAND ...]\n");
	exit(2);
}

static long long
num_arg(const char *s, long long lo, long long hi, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < lo || v > hi) {
		fprintf(stderr, "meter-sim: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static void *
ticker_main(void *arg)
{
	int64_t next = mono_ns();

	(void)arg;
	while (!sim.stop) {
		next += TICK_MS * 1000000LL;
		sleep_until_ns(next);
		pthread_mutex_lock(&sim.mlock);
		meter_advance_all(sim_now_ms());
		pthread_mutex_unlock(&sim.mlock);
	}
	return NULL;
}

/* A socket a bus and one a client: as many descriptors as allowed. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
save_now(void)
{
	if (state_save(sim.state_path) == -1)
		sim_log("save %s: %s", sim.state_path, strerror(errno));
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "control", required_argument, NULL, 'c' },
		{ "site", required_argument, NULL, 'S' },
		{ "reference", no_argument, NULL, 'R' },
		{ "bind", required_argument, NULL, 'b' },
		{ "speed", required_argument, NULL, 'x' },
		{ "wire", no_argument, NULL, 'w' },
		{ "turnaround", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'T' },
		{ "rtu", required_argument, NULL, 'r' },
		{ "rtu-only", no_argument, NULL, 'O' },
		{ "modem", required_argument, NULL, 'm' },
		{ "sms-out", required_argument, NULL, 'o' },
		{ "no-load", no_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'e' },
		{ "ctl", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key = NULL, *site = NULL, *rtu_arg[SIM_MAX_RTU];
	pthread_t ticker, ctl, modem;
	sigset_t sigs;
	struct timespec ts;
	int c, nrtu = 0, rtu_only = 0, sig = 0, ctl_started = 0, rc = 0;
	int64_t last_save, deadline;

	sim.bind = "127.0.0.1";
	sim.speed = 1;
	sim.load_on = 1;
	sim.seed = 1;
	sim.turnaround_ms = DEFAULT_TURNAROUND_MS;
	pthread_mutex_init(&sim.mlock, NULL);
	pthread_mutex_init(&sim.modem_lock, NULL);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sim.state_path = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'c':
			sim.ctl_path = optarg;
			break;
		case 'S':
			site = optarg;
			break;
		case 'R':
			sim.reference = 1;
			break;
		case 'b':
			sim.bind = optarg;
			break;
		case 'x':
			sim.speed = (int)num_arg(optarg, 1, 1000000, "speed");
			break;
		case 'w':
			sim.wire = 1;
			break;
		case 't':
			sim.turnaround_ms = (int)num_arg(optarg, 0, 10000,
			    "turnaround");
			break;
		case 'T':
			sim.threads = (int)num_arg(optarg, 0, 4096, "threads");
			break;
		case 'r':
			if (nrtu == SIM_MAX_RTU)
				usage();
			rtu_arg[nrtu++] = optarg;
			break;
		case 'O':
			rtu_only = 1;
			break;
		case 'm':
			sim.modem_link = optarg;
			break;
		case 'o':
			sim.sms_out = optarg;
			break;
		case 'n':
			sim.load_on = 0;
			break;
		case 'e':
			sim.seed = (uint64_t)num_arg(optarg, 0, INT64_MAX,
			    "seed");
			break;
		case 'C':
			return ctl_client(optarg, argc - optind, argv + optind);
		default:
			usage();
		}
	}
	if (optind != argc || sim.state_path == NULL || key == NULL ||
	    sim.ctl_path == NULL || (site != NULL && sim.reference) ||
	    (site == NULL && !sim.reference && sim.modem_link == NULL) ||
	    (sim.modem_link != NULL && sim.sms_out == NULL))
		usage();
	if (token_key_read(key, sim.vk) == -1) {
		fprintf(stderr, "meter-sim: %s: %s\n", key, errno == EINVAL ?
		    "not 64 hex characters" : strerror(errno));
		return 1;
	}
	sim.sim_base_ms = (int64_t)time(NULL) * 1000;
	sim.mono_base_ms = mono_ms();
	if ((sim.reference && site_reference() == -1) ||
	    (site != NULL && site_load(site) == -1)) {
		fprintf(stderr, "meter-sim: site: %s\n", strerror(errno));
		return 1;
	}
	if (state_load(sim.state_path) == -1) {
		fprintf(stderr, "meter-sim: %s: %s\n", sim.state_path,
		    strerror(errno));
		return 1;
	}
	/* The clock went on from the saved one (or real time, if later). */
	sim.mono_base_ms = mono_ms();
	meter_advance_all(sim_now_ms());

	for (int i = 0; i < nrtu; i++) {
		char *eq = strchr(rtu_arg[i], '=');
		struct bus *b;

		if (eq == NULL)
			usage();
		*eq = '\0';
		if ((b = site_bus((int)num_arg(rtu_arg[i], 1, 65535,
		    "rtu port"))) == NULL) {
			fprintf(stderr, "meter-sim: no bus at port %s\n",
			    rtu_arg[i]);
			return 1;
		}
		b->rtu_link = eq + 1;
		if ((b->rtu_fd = pty_open_link(b->rtu_link, &b->rtu_slave)) ==
		    -1) {
			fprintf(stderr, "meter-sim: pty %s: %s\n", b->rtu_link,
			    strerror(errno));
			return 1;
		}
		if (rtu_only)
			b->tcp = 0;
	}
	if (sim.modem_link != NULL && modem_open() == -1) {
		fprintf(stderr, "meter-sim: modem pty %s: %s\n",
		    sim.modem_link, strerror(errno));
		return 1;
	}

	raise_nofile();
	/* Signals go to the main thread only, through sigtimedwait. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	pthread_create(&ticker, NULL, ticker_main, NULL);
	if (bus_tcp_start(sim.threads) == -1) {
		fprintf(stderr, "meter-sim: TCP threads: %s\n", strerror(errno));
		sim.stop = 1;
		rc = 1;
	}
	for (int i = 0; i < sim.nbus; i++)
		if (sim.buses[i].rtu_link != NULL)
			pthread_create(&sim.buses[i].rtu_thread, NULL,
			    bus_rtu_main, &sim.buses[i]);
	if (sim.modem_link != NULL)
		pthread_create(&modem, NULL, modem_main, NULL);
	/* The control socket appears once every bus listens. */
	deadline = mono_ms() + 5000;
	for (int i = 0; i < sim.nbus && !sim.stop; i++)
		while (!sim.buses[i].ready && mono_ms() < deadline)
			usleep(2000);
	if (sim.stop)
		;
	else if (ctl_open(sim.ctl_path) == -1) {
		fprintf(stderr, "meter-sim: %s: %s\n", sim.ctl_path,
		    strerror(errno));
		sim.stop = 1;
		rc = 1;
	} else {
		pthread_create(&ctl, NULL, ctl_main, NULL);
		ctl_started = 1;
	}
	if (!sim.stop)
		sim_log("%d meters on %d buses, speed %d%s, control %s",
		    sim.nmeter, sim.nbus, sim.speed, sim.wire ? ", wire" : "",
		    sim.ctl_path);

	last_save = mono_ms();
	while (!sim.stop) {
		ts.tv_sec = 1;
		ts.tv_nsec = 0;
		sig = sigtimedwait(&sigs, NULL, &ts);
		if (sig > 0)
			break;
		if (mono_ms() - last_save >= SAVE_EVERY_S * 1000) {
			save_now();
			last_save = mono_ms();
		}
	}
	sim.stop = 1;
	pthread_join(ticker, NULL);
	bus_tcp_join();
	for (int i = 0; i < sim.nbus; i++)
		if (sim.buses[i].rtu_link != NULL)
			pthread_join(sim.buses[i].rtu_thread, NULL);
	if (sim.modem_link != NULL)
		pthread_join(modem, NULL);
	if (ctl_started)
		pthread_join(ctl, NULL);
	save_now();
	sim_log("stopped%s, state saved to %s", sig > 0 ? " by signal" : "",
	    sim.state_path);
	site_free();
	return rc;
}
