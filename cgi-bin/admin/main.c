/* admin.c - prepaid-admin: set-up tasks from the command line (meter import, first operator) and the periodic jobs. */
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "import.h"
#include "ledger.h"
#include "log.h"
#include "money.h"
#include "oplog.h"
#include "pay.h"
#include "purge.h"
#include "tariffs.h"
#include "reconcile.h"
#include "tiers.h"

enum { Q_COUNT_OPS, Q_NEW_ADMIN, Q_LOG, Q_NEW_OP };
static const char *const q[] = {
	[Q_COUNT_OPS] = "SELECT COUNT(*) FROM operators",
	[Q_NEW_ADMIN] = "INSERT INTO operators (login, name, role_id, pw_hash,"
	    " must_change) VALUES ('admin', '系统管理员', 1, ?, 1)",
	[Q_NEW_OP] = "INSERT INTO operators (login, name, role_id, pw_hash,"
	    " must_change) VALUES (?, ?, ?, ?, 1)",
	[Q_LOG] = "INSERT INTO oplog (login, client_addr, action, object, after_val)"
	    " VALUES ('prepaid-admin', 'local', ?, ?, ?)",
};

static void
usage(void)
{
	fprintf(stderr, "usage: prepaid-admin import-meters FILE.csv\n"
	    "       prepaid-admin create-admin PASSWORD-FILE\n"
	    "       prepaid-admin add-operator LOGIN ROLE-ID\n"
	    "       prepaid-admin apply-tariffs   (versions in force, tiers, settlements,\n"
	    "                                      closings moved on)\n"
	    "       prepaid-admin reconcile       (the daily reconciliation; exit 1 on mismatches)\n"
	    "       prepaid-admin payments-sync (orders without a notice asked of the\n"
	    "                                      gateway, credited or closed;\n"
	    "                                      approved refunds sent)\n"
	    "                                      yesterday's bills fetched)\n"
	    "       prepaid-admin payments-sync --bill YYYY-MM-DD (that day's bills)\n"
	    "       prepaid-admin purge       (personal data past its retention)\n"
	    "       prepaid-admin check\n"
	    "The configuration is read from $PREPAID_CONF"
	    " (default /etc/prepaid/prepaid.conf).\n");
	exit(2);
}

static int
cmd_import(struct db *db, const char *file)
{
	FILE *f = fopen(file, "rb");
	char *data = NULL;
	size_t len = 0, cap = 0, got;
	struct imp_result res;
	long n;

	if (f == NULL) {
		log_warn("%s", file);
		return 1;
	}
	do {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 65536;
			if ((data = realloc(data, cap)) == NULL)
				fatal("realloc");
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	n = import_meters(db, data, len, &res);
	free(data);
	if (n == -1) {
		log_warnx("import failed: %s", db_error(db));
		imp_result_free(&res);
		return 1;
	}
	for (size_t i = 0; i < res.nerr; i++)
		fprintf(stderr, "%s:%d: %s%s%s %s\n", file, res.err[i].line,
		    res.err[i].column ? res.err[i].column : "",
		    res.err[i].column ? ": " : "", res.err[i].reason,
		    res.err[i].value);
	if (res.nerr) {
		fprintf(stderr, "%zu errors, nothing imported\n", res.nerr);
		imp_result_free(&res);
		return 1;
	}
	imp_result_free(&res);
	{
		char after[64];

		snprintf(after, sizeof(after), "{\"imported\":\"%ld\"}", n);
		db_exec(db, q[Q_LOG], "sss", "meter.import", file, after);
	}
	printf("imported %ld meters\n", n);
	return 0;
}

static int
cmd_create_admin(struct db *db, const char *pwfile)
{
	int64_t n = 0;
	char pw[17];
	char *hash;
	int fd;

	if (db_value(db, &n, q[Q_COUNT_OPS], "") == -1)
		return 1;
	if (n > 0) {
		printf("operators exist already\n");
		return 0;
	}
	if (crypto_password_random(pw, 16) == -1 || (hash = crypto_password_hash(pw)) == NULL)
		return 1;
	fd = open(pwfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, pw, strlen(pw)) != (ssize_t)strlen(pw) ||
	    write(fd, "\n", 1) != 1) {
		log_warn("%s", pwfile);
		free(hash);
		return 1;
	}
	fchmod(fd, 0600);
	close(fd);
	if (db_exec(db, q[Q_NEW_ADMIN], "s", hash) == -1) {
		free(hash);
		unlink(pwfile);
		return 1;
	}
	free(hash);
	db_exec(db, q[Q_LOG], "sss", "operator.create", "admin", NULL);
	printf("created operator admin; password in %s\n", pwfile);
	return 0;
}

/* A new operator with a random password, printed; the first sign-in
 * must change it, as for an operator made on the operators page. */
static int
cmd_add_operator(struct db *db, const char *login, const char *role)
{
	char pw[17];
	char *hash;
	long n;

	if (crypto_password_random(pw, 16) == -1 || (hash = crypto_password_hash(pw)) == NULL)
		return 1;
	n = db_exec(db, q[Q_NEW_OP], "ssls", login, login,
	    (int64_t)atoi(role), hash);
	free(hash);
	if (n == -1) {
		log_warnx("add-operator: %s", db_error(db));
		return 1;
	}
	db_exec(db, q[Q_LOG], "sss", "operator.create", login, NULL);
	printf("%s\n", pw);
	return 0;
}

/* B1: the bill of DAY of channel CH (conf C) fetched and matched; 0, or
 * 1 when it was not taken. Without DAY yesterday's, when it is due (not
 * taken yet or failed a while ago); one not taken then is no failure of
 * the job: a gateway makes its bill in the morning, and it is asked again
 * (the staff page shows it as not taken meanwhile). */
static int
bill_step(struct db *db, const struct config *cf, const struct pay_conf *c,
    const struct pay_channel *ch, const char *day)
{
	const char *tz = config_get(cf, "tz_offset", "+08:00");
	struct pay_bill_result r;
	char due[11];
	int rc, asked = day != NULL;

	if (day == NULL) {
		if ((rc = pay_bill_due(db, ch->name, tz,
		    config_int(cf, "pay_bill_retry_s", 600), due)) != 1)
			return rc == -1;
		day = due;
	}
	if ((rc = pay_bill_fetch(db, c, ch, day, tz, &r)) == -1) {
		log_warnx("payments-sync: %s bill %s: %s", ch->name, day,
		    db_error(db));
		return 1;
	}
	if (rc == 1)
		printf("payments-sync: %s bill %s not taken: %s\n", ch->name, day,
		    r.why);
	else
		printf("payments-sync: %s bill %s: %d lines, %d mismatches\n",
		    ch->name, day, r.lines, r.mismatches);
	return asked ? rc : 0;
}

/* Refunds approved by staff, sent to channel CH's gateway here (never by a
 * page): 0, 1 when one failed (sent again next time), -1 (the database). */
static int
refund_step(struct db *db, const struct pay_conf *c,
    const struct pay_channel *ch)
{
	struct pay_refund_result f;

	if (pay_refund_sync(db, c, ch, pay_http, &f) == -1) {
		log_warnx("payments-sync: refunds: %s", db_error(db));
		return -1;
	}
	printf("payments-sync: %s refunds: %d sent, %d refunded,"
	    " %d in progress, %d failed\n", ch->name, f.sent, f.refunded,
	    f.pending, f.failed);
	return f.failed > 0;
}

/* payments-sync: orders older than pay_sync_after_s (300) asked of their
 * gateway, unpaid ones older than pay_expire_s (1800) closed, then
 * yesterday's bill once; each configured channel in turn. With BILL only
 * that day's bills. */
static int
cmd_payments_sync(struct db *db, const struct config *cf, const char *bill)
{
	static const struct pay_channel *const chs[] = { &pay_alipay, &pay_wechat };
	struct pay_sync_result r;
	int bad = 0;

	for (size_t i = 0; i < sizeof(chs) / sizeof(chs[0]); i++) {
		struct pay_conf *c = pay_conf_load(cf, chs[i]->name,
		    PAY_APP_KEY | PAY_GW_KEY);
		int rc;

		if (c == NULL) {
			if (errno != ENOENT)
				bad = 1;
			printf("payments-sync: %s is %s\n", chs[i]->name, errno ==
			    ENOENT ? "not configured" : "refused: its keys (see the log)");
			continue;
		}
		if (bill != NULL) {
			bad |= bill_step(db, cf, c, chs[i], bill);
			pay_conf_free(c);
			continue;
		}
		rc = pay_sync(db, c, chs[i], config_int(cf, "pay_sync_after_s", 300),
		    config_int(cf, "pay_expire_s", 1800), &r);
		if (rc == -1) {
			pay_conf_free(c);
			log_warnx("payments-sync: %s", db_error(db));
			return 1;
		}
		printf("payments-sync: %s: %d asked, %d credited, %d to refund,"
		    " %d closed, %d failed\n", chs[i]->name, r.asked, r.credited,
		    r.refund, r.closed, r.failed);
		bad |= r.failed > 0;
		rc = refund_step(db, c, chs[i]);
		if (rc != -1)
			bad |= rc | bill_step(db, cf, c, chs[i], NULL);
		pay_conf_free(c);
		if (rc == -1)
			return 1;
	}
	return bad;
}

/* B1: each mismatch of the gateways' bills, one line each. */
static void
print_bill_mismatches(struct db *db, const char *tz)
{
	struct dbres *res = rc_pay_bill(db, tz, "", "");
	char a[32], b[32];

	if (res == NULL)
		return;
	while (db_next(res) == 1) {
		const char *bf = db_col(res, 6), *of = db_col(res, 7);

		printf("PayBill: %s %s %s %s order %s trade %s bill %s order %s"
		    " %s\n", db_col(res, 1), db_col(res, 2), db_col(res, 3),
		    db_col(res, 9), db_col(res, 4),
		    *db_col(res, 5) ? db_col(res, 5) : "-",
		    *bf ? money_format(strtoll(bf, NULL, 10), a, sizeof(a)) : "-",
		    *of ? money_format(strtoll(of, NULL, 10), b, sizeof(b)) : "-",
		    *db_col(res, 8) ? db_col(res, 8) : "-");
	}
	db_res_free(res);
}

int
main(int argc, char **argv)
{
	const char *conf = getenv("PREPAID_CONF");
	struct config *cf;
	struct db *db;
	int rc;

	log_init("prepaid-admin", 0, 0);
	if (argc < 2)
		usage();
	if (conf == NULL)
		conf = "/etc/prepaid/prepaid.conf";
	if ((cf = config_load(conf)) == NULL)
		fatal("%s", conf);
	if ((db = db_open(cf, "staff")) == NULL)
		fatalx("cannot connect to the database");
	if (strcmp(argv[1], "import-meters") == 0 && argc == 3)
		rc = cmd_import(db, argv[2]);
	else if (strcmp(argv[1], "create-admin") == 0 && argc == 3)
		rc = cmd_create_admin(db, argv[2]);
	else if (strcmp(argv[1], "add-operator") == 0 && argc == 4)
		rc = cmd_add_operator(db, argv[2], argv[3]);
	else if (strcmp(argv[1], "apply-tariffs") == 0) {
		/* the periodic job acts in its own name in the operation log */
		static const struct actor job = { 0, "prepaid-admin", "local" };
		const char *tz = config_get(cf, "tz_offset", "+08:00");
		long n = tariff_apply_due(db, tz), t = n < 0 ? -1 : tiers_run(db, tz);
		/* closings move on without anybody opening a page */
		long c = t < 0 ? -1 : ledger_close_all(db, &job);

		if (n >= 0)
			printf("queued %ld price downloads\n", n);
		if (t >= 0)
			printf("tiers: %ld commands and entries\n", t);
		if (c >= 0)
			printf("closings: %ld accounts closed\n", c);
		rc = n < 0 || t < 0 || c < 0;
	} else if (strcmp(argv[1], "reconcile") == 0) {
		char detail[256];
		int n = rc_run(db, config_get(cf, "tz_offset", "+08:00"), detail,
		    sizeof(detail));

		if (n >= 0)
			printf("reconcile: %d mismatches: %s\n", n, detail);
		if (n > 0)
			print_bill_mismatches(db, config_get(cf, "tz_offset",
			    "+08:00"));
		rc = n != 0;
	} else if (strcmp(argv[1], "payments-sync") == 0 && argc == 2) {
		rc = cmd_payments_sync(db, cf, NULL);
	} else if (strcmp(argv[1], "payments-sync") == 0 && argc == 4 &&
	    strcmp(argv[2], "--bill") == 0) {
		if (!pay_bill_day_ok(argv[3]))
			usage();
		rc = cmd_payments_sync(db, cf, argv[3]);
	} else if (strcmp(argv[1], "purge") == 0 && argc == 2)
		rc = cmd_purge(db, cf);
	else if (strcmp(argv[1], "check") == 0)
		rc = db_ping(db) == 0 ? 0 : 1;
	else
		usage();
	db_close(db);
	config_free(cf);
	return rc;
}
