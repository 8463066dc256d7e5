/* modbus.c - fuzzes the collector's judging and decoding of meter replies (collector/bus.c, profile.c): any frame libmodbus may hand back, over TCP or RTU; a reply is used only when it is this meter's whole, right answer. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include "collector.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "property failed: %s " \
	"(line %d)\n", #c, __LINE__); abort(); } } while (0)

/*
 * The Modbus library as bus.c calls it: the request is kept, the reply
 * is the fuzz input (at most an ADU, as libmodbus reads no more); what
 * follows it in the buffer is poisoned, so reading past it is reported.
 */
static struct { int dummy; } context;
static const uint8_t *frame;
static int frame_len, receive_errno, drained[2] = { -1, -1 };
static uint8_t request[MODBUS_TCP_MAX_ADU_LENGTH];
static int request_len;

modbus_t *modbus_new_tcp(const char *ip, int port) { return (modbus_t *)&context; }
modbus_t *modbus_new_rtu(const char *dev, int baud, char parity, int bits, int stop)
{ return (modbus_t *)&context; }
void modbus_close(modbus_t *ctx) { }
void modbus_free(modbus_t *ctx) { }
int modbus_set_error_recovery(modbus_t *ctx, modbus_error_recovery_mode m) { return 0; }
int modbus_set_response_timeout(modbus_t *ctx, uint32_t s, uint32_t us) { return 0; }
int modbus_set_byte_timeout(modbus_t *ctx, uint32_t s, uint32_t us) { return 0; }
int modbus_connect(modbus_t *ctx) { return 0; }
int modbus_flush(modbus_t *ctx) { return 0; }
int modbus_set_slave(modbus_t *ctx, int slave) { return 0; }
/* an RTU line after a fault: drained at once (a closed pipe) */
int modbus_get_socket(modbus_t *ctx) { return drained[0]; }
const char *modbus_strerror(int e) { return "error"; }

static int rtu;

int
modbus_get_header_length(modbus_t *ctx)
{
	return rtu ? 1 : 7;
}

int
modbus_send_raw_request(modbus_t *ctx, const uint8_t *req, int len)
{
	CHECK(len > 0 && len <= (int)sizeof(request));
	memcpy(request, req, (size_t)len);
	request_len = len;
	return len;
}

int
modbus_receive_confirmation(modbus_t *ctx, uint8_t *rsp)
{
	if (receive_errno) {
		errno = receive_errno;
		return -1;
	}
	memcpy(rsp, frame, (size_t)frame_len);
	ASAN_POISON_MEMORY_REGION(rsp + frame_len,
	    (size_t)(MODBUS_TCP_MAX_ADU_LENGTH - frame_len));
	return frame_len;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Byte 0: bit 0 RTU, bit 1 the energy profile, bit 2 a write (FC16) of
 * two registers, bits 3-4 a receive error instead of a frame, bits 5-6
 * another block a command reads (1 the parameters, 2 the TOU table) or
 * writes (3 the parameters); byte 1 the meter's address; the rest: the
 * frame libmodbus returned.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct collector co;
	static struct bus b;
	struct meter m;
	struct reading r;
	uint16_t w[2] = { 1, 0 };
	uint16_t par[PAR_REGS];
	int f, exc = -1, write, hdr, len, nregs, addr, block;
	long faults = 0;
	static const int errs[] = { 0, ETIMEDOUT, EMBXSBUSY, ECONNRESET };

	if (size < 2 || size - 2 > MODBUS_TCP_MAX_ADU_LENGTH)
		return 0;
	if (drained[0] == -1 && (pipe(drained) == -1 || close(drained[1]) == -1))
		abort();
	rtu = data[0] & 1;
	write = (data[0] >> 2) & 1;
	receive_errno = errs[(data[0] >> 3) & 3];
	memset(&m, 0, sizeof(m));
	m.address = data[1];
	m.profile = data[0] & 2 ? PROFILE_ENERGY : PROFILE_DDSY1352NK;
	frame = data + 2;
	frame_len = (int)size - 2;
	co.set.timeout_ms = 100;
	memset(&b, 0, sizeof(b));
	b.co = &co;
	snprintf(b.address, sizeof(b.address), rtu ?
	    "rtu:///dev/ttyUSB0?baud=9600&parity=E&stop=1" : "tcp://127.0.0.1:502");
	memset(&r, 0x5A, sizeof(r));

	block = (data[0] >> 5) & 3;
	if (block != 0)
		write = block == 3;
	if (block == 1 || block == 3)
		nregs = PAR_REGS, addr = PAR_ADDR;
	else if (block == 2)
		nregs = TOU_REGS, addr = TOU_ADDR;
	else
		profile_block(m.profile, &addr, &nregs);
	for (int i = 0; i < PAR_REGS; i++)
		par[i] = (uint16_t)(0x1111 * i);
	if (block == 3)
		f = bus_write(&b, &m, PAR_ADDR, PAR_REGS, par, &exc);
	else if (block != 0)
		f = bus_read(&b, &m, addr, nregs, par, &exc);
	else if (write)
		f = bus_write(&b, &m, CTL_ADDR, 2, w, &exc);
	else
		f = bus_read_meter(&b, &m, &r, &exc);
	for (int k = 0; k < FT_NKINDS; k++)
		faults += b.cnt.fault[k];

	CHECK(f >= FT_OK && f < FT_NKINDS);
	CHECK(faults == (f == FT_OK ? 0 : 1));
	CHECK(f == FT_EXCEPTION ? exc >= 1 && exc <= 11 : exc == 0);
	/* the request went to this meter */
	CHECK(request[0] == m.address && request[1] == (write ? 0x10 : 0x03));
	if (receive_errno) {
		CHECK(f != FT_OK);
		return 0;
	}
	hdr = rtu ? 1 : 7;
	len = rtu ? frame_len - 2 : frame_len;
	if (f == FT_EXCEPTION) {
		CHECK(len == hdr + 2 || len > hdr + 2);
		CHECK(frame[hdr - 1] == m.address);
		CHECK(frame[hdr] == ((write ? 0x10 : 0x03) | 0x80));
		CHECK(frame[hdr + 1] == exc);
	}
	if (f != FT_OK)
		return 0;
	/* an answer used: this meter's, whole, of the right length */
	CHECK(frame[hdr - 1] == m.address);
	if (!rtu)
		CHECK(be16(frame) == 0 && be16(frame + 2) == 0);
	if (write) {
		CHECK(len == hdr + 5 && frame[hdr] == 0x10);
		CHECK(memcmp(frame + hdr + 1, request + 2, 4) == 0);
		return 0;
	}
	CHECK(frame[hdr] == 0x03 && frame[hdr + 1] == 2 * nregs);
	CHECK(len == hdr + 2 + 2 * nregs);
	if (block != 0) {
		const uint8_t *d = frame + hdr + 2;
		struct cmdq_settings st = { 200000, 100000, 5000, 4000, 30 };
		uint16_t before[PAR_REGS];

		for (int i = 0; i < nregs; i++)
			CHECK(par[i] == be16(d + 2 * i));
		if (block == 2)
			return 0;
		/* a settings command on the block read: its fields where the
		 * map puts them, the rest as the meter had it */
		memcpy(before, par, sizeof(before));
		CHECK(profile_settings_apply(&st, par) == 0);
		CHECK(profile_reg_u32(&par[0x46 - PAR_ADDR]) == 200000);
		CHECK(profile_reg_u32(&par[0x48 - PAR_ADDR]) == 100000);
		CHECK(profile_reg_u32(&par[0x4A - PAR_ADDR]) == 5000);
		CHECK(par[0x61 - PAR_ADDR] == 4000 && par[0x62 - PAR_ADDR] == 30);
		for (int i = 0x4C - PAR_ADDR; i < 0x61 - PAR_ADDR; i++)
			CHECK(par[i] == before[i]);
		return 0;
	}
	{
		const uint8_t *d = frame + hdr + 2;

		if (m.profile == PROFILE_ENERGY) {
			CHECK(r.energy == be32(d) && r.remaining == -1 && r.count == -1);
			CHECK(r.voltage_dv == be16(d + 2 * 0x0B));
			CHECK(r.power_w == (int16_t)be16(d + 2 * 0x0D));
			CHECK(r.freq_chz == be16(d + 2 * 0x11));
			return 0;
		}
		/* the prepaid block: model code 7, every field where the map puts it */
		CHECK(be16(d) == RT_MODEL && r.has_money);
		CHECK(r.voltage_dv == be16(d + 2 * 0x01));
		CHECK(r.current_ca == be16(d + 2 * 0x04));
		CHECK(r.power_w == (int16_t)be16(d + 2 * 0x0A));
		CHECK(r.energy == be32(d + 2 * 0x15));
		for (int i = 0; i < 4; i++)
			CHECK(r.e_slot[i] == be32(d + 2 * (0x17 + 2 * i)));
		CHECK(r.remaining == (int32_t)be32(d + 2 * 0x1F));
		CHECK(r.count == be16(d + 2 * 0x21));
		CHECK(r.status == be16(d + 2 * 0x24));
		CHECK(r.clock == be32(d + 2 * 0x26));
		CHECK(r.bad_tokens == be16(d + 2 * 0x28));
	}
	return 0;
}
