/* modbus-loop.c - the bench limit for the collector: a bare libmodbus loop reading realtime blocks, one thread per bus. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <modbus.h>

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
	modbus_set_response_timeout(ctx, 0, 500000);
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

int
main(int argc, char *argv[])
{
	struct job *jobs;
	struct timespec t0, t1;
	int first, nports, units, rounds;
	long ok = 0, failed = 0;
	double s;

	if (argc != 5) {
		fprintf(stderr, "usage: modbus-loop FIRST_PORT PORTS UNITS ROUNDS\n");
		return 2;
	}
	first = atoi(argv[1]);
	nports = atoi(argv[2]);
	units = atoi(argv[3]);
	rounds = atoi(argv[4]);
	if ((jobs = calloc(nports, sizeof(*jobs))) == NULL)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nports; i++) {
		jobs[i].port = first + i;
		jobs[i].units = units;
		jobs[i].rounds = rounds;
		pthread_create(&jobs[i].t, NULL, loop, &jobs[i]);
	}
	for (int i = 0; i < nports; i++) {
		pthread_join(jobs[i].t, NULL);
		ok += jobs[i].ok;
		failed += jobs[i].failed;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f %ld %ld\n", ok / s, ok, failed);
	free(jobs);
	return failed ? 1 : 0;
}
