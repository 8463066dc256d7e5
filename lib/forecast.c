/* forecast.c - B5 the run-out forecast: a pure function of the last days' use, the price and the money. */
#include <stddef.h>

#include "forecast.h"

int64_t
forecast_days(int64_t money, const int64_t *use, int n, int64_t price)
{
	int64_t sum = 0, recent = 0, cost, c;
	int known = 0, nrecent = 0;

	if (price <= 0 || use == NULL || n <= 0)
		return FORECAST_UNKNOWN;
	for (int i = n - 1; i >= 0; i--) {
		if (use[i] < 0)
			continue;
		sum += use[i];
		known++;
		if (nrecent < 3) {
			recent += use[i];
			nrecent++;
		}
	}
	if (known < FORECAST_MIN_DAYS)
		return FORECAST_UNKNOWN;
	if (money <= 0)
		return 0;
	if (sum == 0)
		return FORECAST_NO_USE;
	/* 0.01 kWh at 0.0001 yuan/kWh: fen a day, rounded up */
	cost = (sum * price + known * 10000 - 1) / (known * 10000);
	c = (recent * price + nrecent * 10000 - 1) / (nrecent * 10000);
	if (c > cost)
		cost = c;
	return cost > 0 ? money / cost : FORECAST_NO_USE;
}
