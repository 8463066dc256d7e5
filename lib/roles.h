/* roles.h - the rules of operators and their roles that every change keeps. */
#ifndef ROLES_H
#define ROLES_H

struct db;

/*
 * 1 when some active operator still holds F2 and some F3 (nobody could
 * administer operators or rights otherwise), 0 when not, -1 on an error.
 * Called inside the transaction of a change, before its commit.
 */
int roles_admins_left(struct db *);

#endif
