/* roles.c - the rules of operators and their roles that every change keeps. */
#include <stdint.h>

#include "db.h"
#include "roles.h"

enum {
	Q_ADMINS
};
static const char *const q[] = {
	/* the fewer of the active operators who hold F2 and who hold F3 */
	[Q_ADMINS] = "SELECT LEAST("
	    " (SELECT COUNT(*) FROM operators o JOIN role_rights rr"
	    "   ON rr.role_id = o.role_id AND rr.right_code = 'F2' WHERE o.disabled = 0),"
	    " (SELECT COUNT(*) FROM operators o JOIN role_rights rr"
	    "   ON rr.role_id = o.role_id AND rr.right_code = 'F3' WHERE o.disabled = 0))",
};

int
roles_admins_left(struct db *db)
{
	int64_t n = 0;

	if (db_value(db, &n, q[Q_ADMINS], "") != 1)
		return -1;
	return n > 0;
}
