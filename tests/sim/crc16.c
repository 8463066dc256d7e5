/* crc16.c - CRC-16/MODBUS for the simulator's own RTU framing on the multi-drop pty. */
#include "crc16.h"

uint16_t
crc16_modbus(const uint8_t *buf, size_t len)
{
	uint16_t crc = 0xffff;

	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int b = 0; b < 8; b++)
			crc = crc & 1 ? (uint16_t)(crc >> 1 ^ 0xa001) :
			    (uint16_t)(crc >> 1);
	}
	return crc;
}

int
crc16_check(const uint8_t *frame, size_t len)
{
	uint16_t crc;

	if (len < 3)
		return 0;
	crc = crc16_modbus(frame, len - 2);
	return frame[len - 2] == (crc & 0xff) && frame[len - 1] == crc >> 8;
}

size_t
crc16_append(uint8_t *frame, size_t len)
{
	uint16_t crc = crc16_modbus(frame, len);

	frame[len] = (uint8_t)(crc & 0xff);
	frame[len + 1] = (uint8_t)(crc >> 8);
	return len + 2;
}
