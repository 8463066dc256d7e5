/* valid.h - field validators; each returns NULL when good or an error key. */
#ifndef VALID_H
#define VALID_H

#include <stddef.h>
#include <stdint.h>

/*
 * The error keys are looked up in the language files (Lang.err.KEY), so a
 * validator never carries user-visible text.
 */
const char *valid_text(const char *s, size_t maxchars);
/* Copies S into OUT (SZ bytes) with full-width digits, point and minus
 * (as a Chinese input method types them: １００．５０, －) made ASCII;
 * returns 1 if anything changed, 0 if not, -1 if OUT is too small. */
int valid_halfwidth(const char *s, char *out, size_t sz);
const char *valid_login(const char *s);
const char *valid_phone(const char *s);
const char *valid_int(const char *s, long min, long max, long *out);
const char *valid_money(const char *s, int64_t min, int64_t max, int64_t *out);
const char *valid_price(const char *s, int64_t *out);
/* Password rules (ASVS V2.1): 12 to 128 characters (code points, not bytes),
 * any printable Unicode, no composition rule; refused: a common password
 * ("pw_common"), one character or a short piece repeated, a run or a
 * keyboard walk ("pw_pattern"), one containing OLD ("pw_old") or one of
 * WORDS of 3+ characters ("pw_context": login, room, site name), all
 * compared without case. OLD and WORDS (NULL-terminated) may be NULL. */
#define PW_MIN_CHARS 12
#define PW_MAX_CHARS 128
#define PW_MAX_BYTES (PW_MAX_CHARS * 4)
const char *valid_password(const char *pw, const char *old,
    const char *const *words);
const char *valid_host(const char *s);
const char *valid_bus_address(const char *s);
/* Number of characters of a valid UTF-8 string, or -1 when not UTF-8. */
long utf8_len(const char *s);

#endif
