/* pages.h - the page handlers of the student site. */
#ifndef PAGES_H
#define PAGES_H

#include "mobile.h"

/* page-auth.c: M1 sign-in, sign-out, own password, language */
int page_login(struct req *);
int page_logout(struct req *);
int page_password(struct req *);
int page_lang(struct req *);
/* page-home.c: M2 my account, with the B5 forecast */
int page_home(struct req *);
/* page-alerts.c: M4 alert settings (levels, quiet period) */
int page_alerts(struct req *);

#endif
