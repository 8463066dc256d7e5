/* collector.h - the collector daemon's shared state: site, buses, meters, settings, threads. */
#ifndef COLLECTOR_H
#define COLLECTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <modbus.h>

#include "profile.h"
#include "token.h"

struct config;
struct db;

/* Open alarm episodes of a meter, one bit each. */
enum alarm_kind {
	AL_ALARM1, AL_ALARM2, AL_ARREARS, AL_OVERLOAD, AL_METER_LOST,
	AL_GATEWAY_LOST, AL_COUNT_MISMATCH, AL_BAD_TOKEN, AL_NKINDS
};

/* Fault kinds of one exchange (B4). */
enum fault {
	FT_OK, FT_TIMEOUT, FT_EXCEPTION, FT_BADFRAME, FT_LINK, FT_NKINDS
};

struct meter {
	int		id;
	uint32_t	number;
	int		profile;
	int		address;
	char		room[336];	/* "3号楼 305": building (64) + room (16) characters, empty without a room */
	/* owned by the bus thread */
	int		fail_streak;
	int		lost;
	unsigned	alarms;		/* bits of enum alarm_kind */
	int		bad_tokens;	/* the meter's bad-token counter, -1 unknown */
	long long	bad_rise_ms;	/* when it last rose (unix ms) */
	atomic_int	read_now;	/* set by main for a read request */
	/* what the last attempt gave, for read requests (set by the bus thread) */
	atomic_long	tries;		/* attempts so far */
	atomic_int	last_fault;	/* FT_* | exception code << 8 */
	int		count_check;	/* CC_*: what a token command found of its purchase count (bus thread) */
};

/* What a token command found of a meter's purchase count, for its count_mismatch episode. */
enum { CC_NONE, CC_HELD, CC_OK };

/* What the collector takes from the settings table and its config. */
struct settings {
	long		poll_s;		/* cycle interval */
	int		lost_after;	/* failed cycles before a meter is lost */
	long		probe_s;	/* lost meters are tried this often */
	long		bad_token_quiet_s;	/* a bad_token episode closes after this long without a rise */
	int		timeout_ms;	/* Modbus response timeout */
	long		retry_base_s;	/* command back-off */
	long		retry_cap_s;
	int		max_tries;
	long		lease_s;	/* a claimed command's lease */
	long		bus_lease_s;	/* a bus lease (lease_s): renewed every third of it */
	int		max_buses;	/* the most buses held (max_buses): libmodbus waits with select(), below FD_SETSIZE descriptors */
	int		tz_min;		/* the site's offset from UTC */
};

struct counters {
	long		ok, failed, fault[FT_NKINDS], latency_ms;
};

struct collector;

struct bus {
	int		id, gateway_id, port;
	char		address[256];
	struct meter	*meters;
	int		nmeters;
	struct collector *co;
	pthread_t	thread;
	int		started;
	/* main <-> bus, under mu */
	pthread_mutex_t	mu;
	pthread_cond_t	cv;
	int		stop;
	long		req_issued, req_served;	/* read requests */
	long		req_all;	/* requests for every meter */
	long		req_all_served;	/* owned by the bus thread */
	/* figures the bus publishes after each full cycle (atomic) */
	atomic_long	cycles;
	atomic_long	cycle_ms;
	atomic_long	read_us;	/* the cycle's reads alone, without its database writes */
	atomic_int	last_ok, nlost;
	atomic_int	evidence;	/* -1 unknown, 0 none answered, 1 some */
	atomic_int	dead_streak;	/* tries in a row in which nothing answered */
	atomic_long	store_us, store_rows;	/* the last cycle's database write */
	/* owned by the bus thread */
	modbus_t	*ctx;
	int		rtu, connected;
	struct db	*db;
	struct counters	cnt;		/* not yet stored */
	long		cycle_no;
	struct timespec	last_cmd, last_probe;
};

struct gateway {
	int		id;
	int		lost;
};

struct collector {
	struct config	*cf;
	char		id[65];		/* collector_name, default the host name: keys its status rows and command claims */
	struct settings	set;
	uint8_t		vk[TOKEN_VK_LEN];
	int		have_vk;
	struct bus	**buses;
	int		nbuses;
	struct gateway	*gws;
	int		ngws;
	struct meter	**all;		/* every meter, by id order */
	int		nall;
	atomic_int	modem_rssi;	/* -1 without a modem */
	atomic_int	stopping;
};

/* bus.c: the Modbus link */
/* One exchange with meter M: reads NREGS registers at ADDR. Returns FT_OK or a fault; *EXC the exception code. */
int bus_read(struct bus *, const struct meter *, int addr, int nregs, uint16_t *regs, int *exc);
/* Writes NREGS registers (FC16); the same returns. */
int bus_write(struct bus *, const struct meter *, int addr, int nregs, const uint16_t *regs, int *exc);
/* Reads and decodes M's realtime block; FT_OK or a fault. */
int bus_read_meter(struct bus *, const struct meter *, struct reading *, int *exc);
/* Closes B's Modbus context (the next exchange connects again). */
void bus_close(struct bus *);
/* Milliseconds since a CLOCK_MONOTONIC time, and now in unix milliseconds. */
long bus_ms_since(const struct timespec *);
long long bus_now_ms(void);

/* poll.c: the bus threads */
/* Starts the thread of B; 0 or -1 with errno. */
int poll_start(struct bus *);
/* Asks B's thread to stop without waiting (poll_stop joins it). */
void poll_ask_stop(struct bus *);
/* Asks B's thread to stop and joins it (it stores what it read first). */
void poll_stop(struct bus *);
/* S3: gateways lost and found from their buses' answers (the main thread). */
void poll_gateways(struct collector *, struct db *);

/* One meter's read in a cycle. */
struct result {
	struct meter	*m;
	int		fault;		/* FT_OK or the fault */
	int		exc;
	struct reading	r;
	long long	at_ms;		/* unix milliseconds */
	int		latency_ms;
	char		error[96];
};

/* store.c: database writes */
/* Stores one cycle's results (readings, meter state, daily energy) and bus health in one transaction; 0 or -1. */
int store_cycle(struct bus *, struct result *, int n, long cycle_ms);
/* An event row (kind as in the events table); 0 or -1. */
int store_event(struct db *, const char *kind, int meter_id, int gateway_id, const char *detail);
/* A gateway's lost state; 0 or -1. */
int store_gateway(struct db *, int gateway_id, int lost);

/* alarm.c: alarm episodes */
/* Opens (OPEN=1) or closes an alarm episode, queueing its SMS; 0 or -1. */
int alarm_set(struct db *, int kind, int meter_id, int gateway_id, int64_t remaining, int open, const struct meter *);
/* Opens (ON) or closes an episode of meter M from its bus's thread, once. */
void alarm_meter(struct bus *, struct meter *, int kind, int on, int64_t remaining);
/* The balance, overload and bad-token episodes a good read of M at AT_MS puts it in. */
void alarm_reading(struct bus *, struct meter *, const struct reading *, long long at_ms);
/* The staff's alarm SMS number (empty: none); called while no bus thread runs. */
void alarm_staff_phone(const char *);
/* The site's offset from UTC in minutes, for the students' quiet periods and the forecast. */
void alarm_site_tz(int tz_min);
/* M4: withdraws, holds or releases the holders' SMS held by a quiet period;
 * then queues the holder's SMS of open balance episodes that have none (an account opened later); the number queued or -1. */
int alarm_sms_late(struct db *);
/* The alarms table's name of KIND. */
const char *alarm_name(int kind);

/* command.c */
/* Claims and carries out the due commands of B's meters; 0 or -1. */
int cmd_run_due(struct bus *);
/* M answered again: its waiting commands go out, its relay state is re-applied. */
void cmd_meter_found(struct bus *, struct meter *);
/* M was lost: its open commands wait. */
void cmd_meter_lost(struct bus *, struct meter *);

/* lease.c: bus leases, from the main thread only */
enum { LEASE_GAINED = 1, LEASE_LOST = 2 };
/*
 * One round: renews the leases held, takes free ones (PREF(gateway) says
 * which are ours first; others only after a lease period, when free and
 * not asked for), asks for ours held by others, drops what was lost or not
 * renewed in time. LEASE_GAINED | LEASE_LOST as the held set changed.
 */
int lease_round(struct db *, struct collector *, int (*pref)(int gateway));
/* Whether we hold bus ID, and how many we hold. */
int lease_held(int bus);
int lease_count(void);
/* The time between rounds: a third of the lease. */
long lease_period_ms(const struct collector *);
/* Releases the buses handed back, once their threads have stopped. */
void lease_settle(struct db *, struct collector *);
/* Releases every lease of ours (we stop). */
void lease_release_all(struct db *, struct collector *);
/* Whether meter M is on a bus another collector holds. */
int lease_others(struct db *, struct collector *, int meter);

/* sms.c */
int sms_start(struct collector *, const char *device);
void sms_stop(void);

#endif
