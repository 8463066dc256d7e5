/* test_forecast.c - B5 unit tests: the run-out forecast on flat, rising, zero and missing use. */
#include <stdio.h>

#include "forecast.h"

static int failed;

static void
is(int64_t got, int64_t want, const char *what)
{
	if (got == want)
		printf("ok - %s\n", what);
	else {
		printf("not ok - %s (got %lld, want %lld)\n", what,
		    (long long)got, (long long)want);
		failed++;
	}
}

int
main(void)
{
	/* 5 kWh a day at 0.5880 yuan: 294 fen a day */
	int64_t flat[7] = { 500, 500, 500, 500, 500, 500, 500 };
	int64_t rising[7] = { 100, 200, 300, 400, 500, 600, 700 };
	int64_t falling[7] = { 700, 600, 500, 400, 300, 200, 100 };
	int64_t zero[7] = { 0, 0, 0, 0, 0, 0, 0 };
	int64_t missing[7] = { -1, -1, -1, -1, -1, 500, 500 };
	int64_t some[7] = { 500, -1, 500, -1, 500, -1, -1 };
	int64_t tiny[7] = { 1, 0, 0, 0, 0, 0, 0 };

	is(forecast_days(2940, flat, 7, 5880), 10, "flat: exactly ten days");
	is(forecast_days(2939, flat, 7, 5880), 9, "flat: one fen less is nine");
	is(forecast_days(293, flat, 7, 5880), 0, "flat: less than a day is 0");
	/* average 400, the last three 600: 600 * 0.588 = 352.8 -> 353 fen */
	is(forecast_days(3530, rising, 7, 5880), 10, "rising: the last three days count");
	is(forecast_days(3529, rising, 7, 5880), 9, "rising: one fen less");
	/* falling: the week's average 400 -> 235.2 -> 236 fen */
	is(forecast_days(2360, falling, 7, 5880), 10, "falling: the week's average");
	is(forecast_days(1000, zero, 7, 5880), FORECAST_NO_USE, "zero use: no run-out");
	is(forecast_days(1000, tiny, 7, 5880), 1000, "a trace of use: a fen a day");
	is(forecast_days(1000, missing, 7, 5880), FORECAST_UNKNOWN, "two days known: unknown");
	is(forecast_days(2940, some, 7, 5880), 10, "three days known are enough");
	is(forecast_days(0, flat, 7, 5880), 0, "no money: 0 days");
	is(forecast_days(-500, flat, 7, 5880), 0, "arrears: 0 days");
	is(forecast_days(0, missing, 7, 5880), FORECAST_UNKNOWN, "no money, no data: unknown");
	is(forecast_days(2940, flat, 7, 0), FORECAST_UNKNOWN, "no price: unknown");
	is(forecast_days(2940, flat, 0, 5880), FORECAST_UNKNOWN, "no days: unknown");
	is(forecast_days(2940, NULL, 7, 5880), FORECAST_UNKNOWN, "no array: unknown");
	/* the alarm SMS of tests/collector/t42_alert_prefs.py, on its data */
	is(forecast_days(1500, rising, 7, 5880), 4, "the SMS test's rising week: 15.00 yuan, 4 days");
	is(forecast_days(300, flat, 7, 5880), 1, "the SMS test's flat week: 3.00 yuan, 1 day");
	is(forecast_days(1500, missing, 7, 5880), FORECAST_UNKNOWN,
	    "the SMS test's two days: no forecast");
	return failed ? 1 : 0;
}
