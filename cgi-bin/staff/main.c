/* main.c - the staff console's FastCGI program: its session and rights, what every page shows, and the kit's loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "settings.h"
#include "staff.h"

const char *const right_codes[NRIGHTS] = {
	"", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10",
	"F11", "F12", "F13", "F14", "F15", "F16", "F17", "F18", "F19", "F20",
	"F21", "F22", "F23", "F24", "F25", "F26", "F27", "F28", "F29", "F30",
	"SITE", "ADJ", "B9", "PAY"
};

enum {
	Q_SESSION, Q_TOUCH, Q_DROP_IDLE
};
static const char *const q[] = {
	[Q_SESSION] =
	    "SELECT s.id, s.csrf, o.id, o.login, o.name, o.must_change,"
	    " o.disabled, TIMESTAMPDIFF(SECOND, s.last_seen, UTC_TIMESTAMP()),"
	    " (SELECT GROUP_CONCAT(right_code) FROM role_rights rr"
	    "   WHERE rr.role_id = o.role_id), " SETTINGS_VERSION_COL ","
	    " TIMESTAMPDIFF(SECOND, s.created_at, UTC_TIMESTAMP()),"
	    " o.totp_secret IS NOT NULL"
	    " FROM sessions s JOIN operators o ON o.id = s.operator_id"
	    " WHERE s.token_hash = ?",
	[Q_TOUCH] = "UPDATE sessions SET last_seen = UTC_TIMESTAMP() WHERE id = ?",
	[Q_DROP_IDLE] = "DELETE FROM sessions WHERE id = ?",
};

/* The settings every page's layout shows (Site.NAME), when stored. */
static const char *const site_settings[] = {
	"site_title", "site_logo", "receipt_header", "receipt_footer", NULL
};

/* One request at a time per worker: its session lives here. */
static struct session current;

int
staff_has(const struct req *r, int n)
{
	return n > 0 && n < NRIGHTS && (r->sess->rights & ((uint64_t)1 << n));
}

static int
right_of(const char *code)
{
	for (int i = 1; i < NRIGHTS; i++)
		if (strcmp(right_codes[i], code) == 0)
			return i;
	return 0;
}

static void
rights_parse(struct session *s, const char *rights)
{
	while (rights && *rights) {
		char code[16];
		size_t n = strcspn(rights, ",");

		if (n < sizeof(code)) {
			memcpy(code, rights, n);
			code[n] = '\0';
			s->rights |= (uint64_t)1 << right_of(code);
		}
		rights += n + (rights[n] == ',');
	}
}

/* Finds the session of the cookie: the operator, the rights, the actor. */
static void
session_load(struct req *r)
{
	const char *tok = web_cookie_get(r, "sid");
	char hash[65];
	struct dbres *res;
	long idle = config_int(r->cf, "session_idle_min", 30) * 60;
	/* however busy, a new sign-in after a working day (ASVS 3.3.2) */
	long most = config_int(r->cf, "session_max_hours", 12) * 3600;
	struct session *s = &current;

	memset(s, 0, sizeof(*s));
	r->sess = s;
	r->actor.addr = r->addr;
	r->actor.name = "";
	if (tok == NULL || strlen(tok) != 64 || crypto_sha256_hex(tok, hash))
		return;
	if ((res = db_query(r->db, q[Q_SESSION], "s", hash)) == NULL) {
		r->db_lost = 1;
		return;
	}
	if (db_next(res) == 1)
		r->settings_version = (uint64_t)db_coll(res, 9);
	if (r->settings_version != 0 && db_coll(res, 6) == 0) {
		if (db_coll(res, 7) > idle || db_coll(res, 10) > most) {
			db_exec(r->db, q[Q_DROP_IDLE], "l", db_coll(res, 0));
			hdf_set_int_value(r->hdf, "Page.expired", 1);
		} else {
			s->id = db_coll(res, 0);
			snprintf(r->csrf, sizeof(r->csrf), "%s", db_col(res, 1));
			s->op_id = db_coll(res, 2);
			snprintf(s->op_login, sizeof(s->op_login), "%s",
			    db_col(res, 3));
			snprintf(s->op_name, sizeof(s->op_name), "%s",
			    db_col(res, 4));
			s->must_change = (int)db_coll(res, 5);
			s->totp = (int)db_coll(res, 11);
			rights_parse(s, db_col(res, 8));
			r->actor.operator_id = s->op_id;
			r->actor.name = s->op_login;
			r->signed_in = 1;
			r->must_change = s->must_change;
			/* a write a minute is enough for the idle timeout */
			if (db_coll(res, 7) >= 60)
				db_exec(r->db, q[Q_TOUCH], "l", s->id);
		}
	}
	db_res_free(res);
}

int
staff_totp_required(struct req *r)
{
	return (staff_has(r, 2) || staff_has(r, 3) || staff_has(r, 10) ||
	    staff_has(r, R_ADJ)) && web_setting(r, "admin_totp_required") == 1;
}

int
staff_totp_due(struct req *r)
{
	return !r->sess->totp && staff_totp_required(r);
}

/* The right of a route; 1 to go on, 0 when the 403 page is given. */
static int
allow(struct req *r, const struct route *rt)
{
	char key[32];

	/* administrators enrol in TOTP first when the site asks for it */
	if (strcmp(rt->path, "/totp") != 0 && strcmp(rt->path, "/logout") != 0 &&
	    !(r->must_change && strcmp(rt->path, "/password") == 0) &&
	    staff_totp_due(r)) {
		web_redirect(r, "/totp?required=1");
		return 0;
	}
	if (rt->right <= 0 || staff_has(r, rt->right))
		return 1;
	web_fail(r, 403, "err.no_right");
	snprintf(key, sizeof(key), "right.%s", right_codes[rt->right]);
	hdf_set_value(r->hdf, "Error.right", right_codes[rt->right]);
	hdf_set_value(r->hdf, "Error.right_name", web_lang(r, key));
	return 0;
}

/* The site's name and look, and the operator with the rights, for the
 * layout of every page. */
static void
common(struct req *r)
{
	const struct session *s = r->sess;
	char key[64];
	HDF *rights;
	NEOERR *err;

	for (int i = 0; site_settings[i]; i++) {
		const char *v = web_setting_text(r, site_settings[i]);

		/* a logo stored before paths were checked is not shown */
		if (v == NULL || (strcmp(site_settings[i], "site_logo") == 0 &&
		    !settings_logo_ok(v)))
			continue;
		snprintf(key, sizeof(key), "Site.%s", site_settings[i]);
		hdf_set_value(r->hdf, key, v);
	}
	if (s == NULL || s->op_id == 0)
		return;
	hdf_set_value(r->hdf, "Op.login", s->op_login);
	hdf_set_value(r->hdf, "Op.name", s->op_name);
	hdf_set_value(r->hdf, "Op.csrf", r->csrf);
	hdf_set_int_value(r->hdf, "Op.must_change", s->must_change);
	/* the rights under one node looked up once: a printf and a walk
	 * from the root for each was a tenth of a form page's work */
	if ((err = hdf_get_node(r->hdf, "Op.right", &rights)) != STATUS_OK) {
		nerr_ignore(&err);
		return;
	}
	for (int i = 1; i < NRIGHTS; i++)
		if (staff_has(r, i))
			hdf_set_value(rights, right_codes[i], "1");
}

static const struct site staff = {
	"staff", routes, 0, "/login", "/password", "/logout", session_load,
	allow, common, SETTINGS_TABLE
};

int
main(int argc, char **argv)
{
	struct site s = staff;
	const char *conf = getenv("PREPAID_CONF");
	struct config *cf;

	/* the password hashes' key, read once before the workers: missing,
	 * or readable by others, the console does not start */
	log_init("staff.fcgi", 0, 0);
	if ((cf = config_load(conf ? conf : "/etc/prepaid/prepaid.conf")) == NULL)
		fatal("configuration");
	if (crypto_pepper_load(config_get(cf, "password_pepper_file", NULL)) == -1)
		fatalx("the password pepper cannot be used (see above)");
	config_free(cf);
	s.nroutes = nroutes;
	return web_main(&s, argc, argv);
}
