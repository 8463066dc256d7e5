/* bus_rtu.c - one bus as a Modbus RTU multi-drop line on a pty: own framing by silence, CRC, silent for strangers. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "crc16.h"
#include "sim.h"

#define RTU_MAX		256
#define SILENCE_MS	5	/* 3.5 characters at 9600 is 4 ms */

static void
rtu_answer(struct bus *b, int fd, const uint8_t *frame, int len,
    int64_t last)
{
	struct mb_req rq;
	struct mb_resp rs;
	uint8_t out[RTU_MAX + 4];
	int perr, fault, n;

	stat_inc(ST_RTU_FRAMES);
	if (len < 4 || !crc16_check(frame, (size_t)len)) {
		stat_inc(ST_CRC_BAD);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.unit = frame[0];
	if (rq.unit == 0 || rq.unit > SIM_MAX_ADDR ||
	    b->by_addr[rq.unit] == NULL) {
		/* Broadcasts and other addresses: nobody here answers. */
		stat_inc(ST_RTU_IGNORED);
		return;
	}
	perr = mb_parse_pdu(frame + 1, len - 3, &rq);
	if (perr)
		stat_inc(ST_MALFORMED);
	if (mb_transact(b, &rq, perr, 1, last, &rs, &fault) == TX_SILENT)
		return;
	out[0] = rq.unit;
	n = 1 + mb_build_pdu(&rq, &rs, out + 1);
	switch (fault) {
	case FAULT_WRONG_UNIT:
		stat_inc(ST_F_WRONG_UNIT);
		out[0] = (uint8_t)(rq.unit % SIM_MAX_ADDR + 1);
		n = (int)crc16_append(out, (size_t)n);
		break;
	case FAULT_CRC:
		stat_inc(ST_F_CRC);
		n = (int)crc16_append(out, (size_t)n);
		out[n - 1] ^= 0x5a;
		break;
	case FAULT_TRUNCATED:
		stat_inc(ST_F_TRUNCATED);
		n = (int)crc16_append(out, (size_t)n) / 2;
		break;
	case FAULT_GARBAGE: {
		uint64_t r = mix64((uint64_t)mono_ns());

		stat_inc(ST_F_GARBAGE);
		n = 7;
		for (int i = 0; i < n; i++) {
			out[i] = (uint8_t)r;
			r = mix64(r);
		}
		break;
	}
	default:
		/* wrong-tid has no meaning without a transaction id. */
		n = (int)crc16_append(out, (size_t)n);
		break;
	}
	write_all(fd, out, (size_t)n);
}

void *
bus_rtu_main(void *arg)
{
	struct bus *b = arg;
	uint8_t buf[RTU_MAX];
	int fd = b->rtu_fd, len = 0, overflow = 0;
	int64_t last = 0;

	while (!sim.stop) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int rc = poll(&pfd, 1, len > 0 ? SILENCE_MS : 100);
		ssize_t n;

		if (rc == 0 && len > 0) {
			/* The silence ends the frame. */
			if (!overflow)
				rtu_answer(b, fd, buf, len, last);
			else
				stat_inc(ST_MALFORMED);
			len = 0;
			overflow = 0;
			continue;
		}
		if (rc <= 0)
			continue;
		if (pfd.revents & (POLLERR | POLLNVAL)) {
			usleep(50000);
			continue;
		}
		n = read(fd, buf + len, sizeof(buf) - (size_t)len);
		if (n <= 0) {
			if (n == -1 && errno != EINTR && errno != EAGAIN)
				usleep(50000);
			continue;
		}
		len += (int)n;
		last = mono_ns();
		if (len == (int)sizeof(buf)) {
			overflow = 1;
			len = 0;
		}
	}
	close(fd);
	close(b->rtu_slave);
	unlink(b->rtu_link);
	return NULL;
}
