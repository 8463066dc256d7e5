/* router.c - the one table of the staff console: path, methods, right, page. */
#include <stddef.h>

#include "pages.h"

const struct route routes[] = {
	{ "/",			M_GET,		R_SIGNED, page_home },
	{ "/lang",		M_GET,		R_PUBLIC, page_lang },
	{ "/login",		M_GET | M_POST,	R_PUBLIC, page_login },
	{ "/logout",		M_POST,		R_SIGNED, page_logout },
	{ "/password",		M_GET | M_POST,	5,	  page_password },
	{ "/operators",		M_GET,		2,	  page_operators },
	{ "/operator",		M_GET | M_POST,	2,	  page_operator_edit },
	{ "/operator/disable",	M_POST,		2,	  page_operator_disable },
	{ "/operator/reset",	M_POST,		2,	  page_operator_reset },
	{ "/roles",		M_GET,		3,	  page_roles },
	{ "/role",		M_GET | M_POST,	3,	  page_role_edit },
	{ "/oplog",		M_GET,		4,	  page_oplog },
	{ "/buildings",		M_GET,		6,	  page_buildings },
	{ "/building",		M_GET | M_POST,	6,	  page_building_edit },
	{ "/gateways",		M_GET,		7,	  page_gateways },
	{ "/gateway",		M_GET | M_POST,	7,	  page_gateway_edit },
	{ "/meters",		M_GET,		8,	  page_meters },
	{ "/meter",		M_GET | M_POST,	8,	  page_meter_edit },
	{ "/meters/import",	M_GET | M_POST,	8,	  page_meter_import },
	{ "/rooms",		M_GET,		9,	  page_rooms },
	{ "/room",		M_GET | M_POST,	9,	  page_room_edit },
	{ "/settings",		M_GET | M_POST,	10,	  page_settings },
	{ "/batch",		M_GET,		15,	  page_batch },
	{ "/batch/run",		M_POST,		15,	  page_batch_run },
	{ "/batch/view",	M_GET,		15,	  page_batch_view },
	{ "/account/open",	M_GET | M_POST,	11,	  page_account_open },
	{ "/account/meter",	M_GET | M_POST,	11,	  page_meter_change },
	{ "/accounts",		M_GET,		12,	  page_accounts },
	{ "/close",		M_GET | M_POST,	13,	  page_close },
	{ "/closings",		M_GET,		14,	  page_closings },
	{ "/account",		M_GET,		12,	  page_account },
	{ "/sell",		M_GET | M_POST,	17,	  page_sell },
	{ "/sale",		M_GET,		17,	  page_sale },
	{ "/receipt",		M_GET,		17,	  page_receipt },
	{ "/sales",		M_GET,		18,	  page_sales },
	{ "/refund",		M_GET | M_POST,	19,	  page_refund },
	{ "/refunds",		M_GET,		20,	  page_refunds },
	{ "/reversal",		M_POST,		21,	  page_reversal },
	{ "/meter/read",	M_POST,		16,	  page_meter_read },
	{ "/meter/history",	M_GET,		16,	  page_history },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
