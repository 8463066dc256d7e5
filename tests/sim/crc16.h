/* crc16.h - CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), low byte first on the wire. */
#ifndef CRC16_H
#define CRC16_H

#include <stddef.h>
#include <stdint.h>

uint16_t crc16_modbus(const uint8_t *buf, size_t len);
/* 1 when the last two bytes of FRAME are its CRC (low byte first). */
int	 crc16_check(const uint8_t *frame, size_t len);
/* Appends the CRC to FRAME of LEN bytes; returns LEN + 2. */
size_t	 crc16_append(uint8_t *frame, size_t len);

#endif
