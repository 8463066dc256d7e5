/* money.h - money is an integer number of fen; parse and format in one place. */
#ifndef MONEY_H
#define MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t fen_t;

/* The largest amount any form accepts: 100 million yuan. */
#define MONEY_MAX ((fen_t)10000000000LL)

/*
 * Parses a decimal with at most SCALE digits after the point ("12", "12.5",
 * "-0.05") into an integer scaled by 10^SCALE. Returns 0, or -1 with errno
 * EINVAL (not a number, too many decimals) or ERANGE (|value| > MAX).
 */
int decimal_parse(const char *s, int scale, int64_t max, int64_t *out);
/* Formats V scaled by 10^SCALE with exactly SCALE decimals into BUF. */
char *decimal_format(int64_t v, int scale, char *buf, size_t size);

/* Yuan with at most 2 decimals into fen; 0 or -1 with errno. */
int money_parse(const char *s, fen_t *out);
/* "1234.50" into BUF (at least 32 bytes); returns BUF. */
char *money_format(fen_t v, char *buf, size_t size);
/*
 * The amount in Chinese capital numerals as on a receipt (大写金额):
 * 10000 -> "壹佰元整", 12345 -> "壹佰贰拾叁元肆角伍分", 0 -> "零元整".
 * Writes at most SIZE bytes (128 is always enough); returns BUF.
 */
char *money_capital(fen_t v, char *buf, size_t size);
/* Price in yuan/kWh with at most 4 decimals into 0.0001 yuan units. */
int price_parse(const char *s, int64_t *out);

#endif
