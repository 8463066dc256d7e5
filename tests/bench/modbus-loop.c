/* modbus-loop.c - the bench limit for the collector: a bare libmodbus loop reading realtime blocks, one thread per bus, the buses shared out over processes (libmodbus waits with select(): below 1024 descriptors a process). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <modbus.h>

static int timeout_ms = 500;	/* MODBUS_LOOP_TIMEOUT_MS */

struct job {
	int		port, units, rounds;
	long		ok, failed;
	pthread_t	t;
};

static void *
loop(void *arg)
{
	struct job *j = arg;
	uint16_t regs[48];
	modbus_t *ctx = modbus_new_tcp("127.0.0.1", j->port);

	if (ctx == NULL || modbus_connect(ctx) == -1) {
		fprintf(stderr, "port %d: %s\n", j->port, modbus_strerror(errno));
		j->failed = (long)j->units * j->rounds;
		if (ctx)
			modbus_free(ctx);
		return NULL;
	}
	modbus_set_response_timeout(ctx, (uint32_t)(timeout_ms / 1000),
	    (uint32_t)(timeout_ms % 1000) * 1000);
	for (int r = 0; r < j->rounds; r++)
		for (int u = 1; u <= j->units; u++) {
			modbus_set_slave(ctx, u);
			if (modbus_read_registers(ctx, 0x0200, 48, regs) == 48)
				j->ok++;
			else
				j->failed++;
		}
	modbus_close(ctx);
	modbus_free(ctx);
	return NULL;
}

/* Reads ports FIRST .. FIRST + N - 1 in threads; writes "ok failed" to FD. */
static int
slice(int first, int n, int units, int rounds, int fd)
{
	struct job *jobs;
	long ok = 0, failed = 0;

	if ((jobs = calloc((size_t)n, sizeof(*jobs))) == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		jobs[i].port = first + i;
		jobs[i].units = units;
		jobs[i].rounds = rounds;
		pthread_create(&jobs[i].t, NULL, loop, &jobs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(jobs[i].t, NULL);
		ok += jobs[i].ok;
		failed += jobs[i].failed;
	}
	dprintf(fd, "%ld %ld\n", ok, failed);
	free(jobs);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct timespec t0, t1;
	int first, nports, units, rounds, procs = 1, per, p[2];
	long ok = 0, failed = 0, a, b;
	double s;
	FILE *in;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: modbus-loop FIRST_PORT PORTS UNITS ROUNDS"
		    " [PROCESSES]\n");
		return 2;
	}
	first = atoi(argv[1]);
	nports = atoi(argv[2]);
	units = atoi(argv[3]);
	rounds = atoi(argv[4]);
	if (argc == 6)
		procs = atoi(argv[5]);
	if (getenv("MODBUS_LOOP_TIMEOUT_MS") != NULL)
		timeout_ms = atoi(getenv("MODBUS_LOOP_TIMEOUT_MS"));
	if (nports < 1 || procs < 1 || procs > nports || pipe(p) == -1)
		return 2;
	per = (nports + procs - 1) / procs;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k * per < nports; k++) {
		int n = (k + 1) * per > nports ? nports - k * per : per;

		if (fork() == 0) {
			close(p[0]);
			_exit(slice(first + k * per, n, units, rounds, p[1]));
		}
	}
	close(p[1]);
	if ((in = fdopen(p[0], "r")) == NULL)
		return 1;
	while (fscanf(in, "%ld %ld", &a, &b) == 2) {
		ok += a;
		failed += b;
	}
	fclose(in);
	while (wait(NULL) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f %ld %ld %.3f\n", ok / s, ok, failed, s);
	return failed ? 1 : 0;
}
