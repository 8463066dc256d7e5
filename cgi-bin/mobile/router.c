/* router.c - the one table of the student site: path, methods, who, page. */
#include <stddef.h>

#include "pages.h"

const struct route routes[] = {
	{ "/m/",		M_GET,		R_STUDENT, page_home },
	{ "/m/alerts",		M_GET | M_POST,	R_STUDENT, page_alerts },
	{ "/m/code",		M_GET | M_POST,	R_PUBLIC,  page_code },
	{ "/m/lang",		M_GET,		R_PUBLIC,  page_lang },
	{ "/m/login",		M_GET | M_POST,	R_PUBLIC,  page_login },
	{ "/m/logout",		M_POST,		R_STUDENT, page_logout },
	{ "/m/phone",		M_GET | M_POST,	R_STUDENT, page_phone },
	{ "/m/password",	M_GET | M_POST,	R_STUDENT, page_password },
	{ "/m/sessions",	M_GET | M_POST,	R_STUDENT, page_sessions },
	{ "/m/pay",		M_GET | M_POST,	R_STUDENT, page_pay },
	{ "/m/pay/return",	M_GET,		R_STUDENT, page_pay_return },
	{ "/m/pay/order",	M_GET,		R_STUDENT, page_pay_order },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
