/* sim.h - the meter simulator's shared state: site, buses, meters, Modbus requests, counters. */
#ifndef SIM_H
#define SIM_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "token.h"

#define SIM_MAX_BUSES	4096	/* 3,334 buses of 30 meters: 100,020 meters */
#define SIM_MAX_METERS	131072
#define SIM_MAX_ADDR	247
#define SIM_MAX_RTU	64

#define GATEWAY_TIMEOUT_MS	300	/* the gateway's RTU timeout */
#define DEFAULT_TURNAROUND_MS	20	/* the meter's turnaround with --wire */

enum profile {
	PROF_DDSY1352NK,
	PROF_ENERGY
};

enum fault {
	FAULT_NONE,
	FAULT_SILENT,
	FAULT_SLOW,
	FAULT_EXCEPTION,
	FAULT_WRONG_UNIT,
	FAULT_WRONG_TID,
	FAULT_GARBAGE,
	FAULT_TRUNCATED,
	FAULT_CRC,
	FAULT_COUNT
};

enum bus_down {
	BUS_UP,
	BUS_DOWN_REFUSE,
	BUS_DOWN_SILENT
};

/* Exception codes (Modbus application protocol v1.1b3, 7). */
#define EXC_ILLEGAL_FUNCTION	0x01
#define EXC_ILLEGAL_ADDRESS	0x02
#define EXC_ILLEGAL_VALUE	0x03
#define EXC_PATH_UNAVAILABLE	0x0A
#define EXC_TARGET_FAILED	0x0B

#define FC_READ_HOLDING		0x03
#define FC_WRITE_SINGLE		0x06
#define FC_WRITE_MULTIPLE	0x10

/* A parsed request PDU, transport-neutral. */
struct mb_req {
	uint8_t		unit;
	uint8_t		fc;
	uint16_t	addr;
	uint16_t	count;
	uint16_t	val[125];
};

/* What the meter answers: an exception code, or registers (reads). */
struct mb_resp {
	uint8_t		exc;
	uint16_t	nregs;
	uint16_t	val[125];
};

struct bus;

struct meter {
	uint32_t	number;
	int		profile;
	struct bus	*bus;
	int		addr;

	/* Kept in the state file. */
	int64_t		remaining;	/* fen */
	uint16_t	count;
	uint32_t	energy;		/* 0.01 kWh */
	uint32_t	e[4];		/* per slot */
	int64_t		wacc;		/* W*ms towards the next 0.01 kWh */
	int64_t		facc;		/* 0.0001 fen towards the next fen */
	uint16_t	bad_tokens;
	uint32_t	alarm1, alarm2, overdraft;
	uint16_t	force_en, force_open;
	uint32_t	price[4];
	uint16_t	threshold, restore_delay;
	uint16_t	tou[16];
	int64_t		overload_until;	/* simulated ms */
	int64_t		clock_off;	/* s added to the simulated clock */
	int		fault_bit;	/* status bit 8 */

	/* Run time only. */
	int64_t		last_ms;
	int		relay;		/* 1 closed */
	int		power;		/* W drawn now */
	int		voltage;	/* 0.1 V */
	int		freq;		/* 0.01 Hz */
	int		pf;		/* 0.001 */
	int		fixed_load;	/* W, -1 = the load model */
	int		fault;
	int		fault_arg;
	int		kind;		/* 0 empty room, 1 normal, 2 heavy */
	int		base;		/* W */
};

struct bus {
	int		port;		/* TCP port: the bus's name */
	int		gateway;	/* (port - 15020) / 4 + 1 */
	struct meter	*by_addr[SIM_MAX_ADDR + 1];
	pthread_mutex_t	lock;		/* one transaction at a time */
	volatile int	down;		/* enum bus_down */
	int		tcp;		/* serve Modbus TCP */
	const char	*rtu_link;	/* serve Modbus RTU on a pty, or NULL */
	int		rtu_fd;		/* its pty master */
	int		rtu_slave;	/* kept open: no EIO without a client */
	volatile int	ready;		/* the TCP server listens (or failed) */
	pthread_t	rtu_thread;
};

enum sim_stat {
	ST_REQUESTS,
	ST_REPLIES,
	ST_EXC01, ST_EXC02, ST_EXC03, ST_EXC04, ST_EXC0A, ST_EXC0B,
	ST_EXC_OTHER,
	ST_TOKENS_APPLIED, ST_TOKENS_REPEATED, ST_TOKENS_REFUSED,
	ST_BAD_TOKENS,
	ST_MALFORMED, ST_CRC_BAD, ST_RTU_FRAMES, ST_RTU_IGNORED,
	ST_CONNECTIONS, ST_DOWN_DROPPED,
	ST_F_SILENT, ST_F_SLOW, ST_F_EXCEPTION, ST_F_WRONG_UNIT,
	ST_F_WRONG_TID, ST_F_GARBAGE, ST_F_TRUNCATED, ST_F_CRC,
	ST_SMS_PARTS, ST_SMS_FULL, ST_SMS_ERRORS, ST_AT_COMMANDS,
	ST_COUNT
};

struct sim {
	struct bus	*buses;
	int		nbus;
	struct meter	*meters;
	int		nmeter;
	int		reference;

	pthread_mutex_t	mlock;		/* every meter field */
	uint8_t		vk[TOKEN_VK_LEN];
	const char	*state_path;
	const char	*ctl_path;
	const char	*bind;
	const char	*modem_link;
	const char	*sms_out;
	int		speed;
	int		threads;	/* TCP threads, 0 = a thread a bus */
	int		wire;
	int		turnaround_ms;
	int		load_on;
	uint64_t	seed;

	int64_t		sim_base_ms;	/* simulated ms at mono_base_ms */
	int64_t		mono_base_ms;

	volatile sig_atomic_t stop;

	/* The modem's error mode, set through the control socket. */
	pthread_mutex_t	modem_lock;
	int		modem_err;
	int64_t		modem_err_until;	/* monotonic ms */
	int		modem_fail_part;	/* this part number answers +CMS ERROR: 500 */
	int		modem_fail_count;	/* so many times */
	int		modem_swallow_part;	/* this part is taken without an answer */
	int		modem_swallow;		/* so many times */
	int		modem_delay_ms;		/* before the answer to a PDU */

	unsigned long	stats[ST_COUNT];
};

extern struct sim sim;

/* util.c */
void	 sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t	 mono_ns(void);
int64_t	 mono_ms(void);
void	 sleep_until_ns(int64_t t);
int64_t	 sim_now_ms(void);
void	 stat_inc(int which);
void	 stat_reset(void);
unsigned long stat_get(int which);
uint64_t mix64(uint64_t x);
int	 pty_open_link(const char *link, int *slave);
int	 write_all(int fd, const void *buf, size_t len);
/* Wire time of a transaction of REQ and RESP bytes (RTU frames), in ns. */
int64_t	 wire_ns(int req_bytes, int resp_bytes);
int64_t	 char_ns(void);

/* site.c */
int	 site_reference(void);
int	 site_load(const char *path);
struct meter *site_meter(uint32_t number);
struct bus *site_bus(int port);
void	 site_free(void);

/* meter.c */
void	 meter_init(struct meter *m);
void	 meter_advance_all(int64_t now_ms);
int	 meter_transact(struct meter *m, const struct mb_req *rq,
	    struct mb_resp *rs);
uint16_t meter_status(const struct meter *m, int64_t now_ms);
int	 meter_relay_rule(const struct meter *m, int64_t now_ms);
void	 meter_eval(struct meter *m, int64_t now_ms);

/* modbus.c: PDU level, shared by TCP and RTU */
int	 mb_parse_pdu(const uint8_t *pdu, int len, struct mb_req *rq);
int	 mb_build_pdu(const struct mb_req *rq, const struct mb_resp *rs,
	    uint8_t *out);
int	 mb_transact(struct bus *b, const struct mb_req *rq, int perr,
	    int rtu, int64_t arrival, struct mb_resp *rs, int *fault);
#define TX_REPLY	0	/* answer RS (maybe twisted by FAULT) */
#define TX_SILENT	1	/* no answer at all (RTU) */

/* bus_tcp.c, bus_rtu.c */
int	 bus_tcp_start(int threads);
void	 bus_tcp_join(void);
void	*bus_rtu_main(void *);

/* state.c */
int	 state_load(const char *path);
int	 state_save(const char *path);

/* ctl.c */
int	 ctl_open(const char *path);
void	*ctl_main(void *);
int	 ctl_client(const char *path, int argc, char **argv);

/* modem.c */
void	*modem_main(void *);
int	 modem_open(void);

#endif
