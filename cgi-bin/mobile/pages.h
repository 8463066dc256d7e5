/* pages.h - the page handlers of the student site. */
#ifndef PAGES_H
#define PAGES_H

#include "mobile.h"

/* page-auth.c: M1 sign-in, sign-out, own password, language */
int page_login(struct req *);
int page_logout(struct req *);
int page_password(struct req *);
int page_lang(struct req *);
/* page-code.c: M1 sign-in by phone and a code sent by SMS */
int page_code(struct req *);
/* page-phone.c: M4 the phone for SMS, changed by a code sent to it */
int page_phone(struct req *);
/* page-sessions.c: M1 我的登录, one's own sessions and ending them */
int page_sessions(struct req *);
/* page-home.c: M2 my account, with the B5 forecast */
int page_home(struct req *);
/* page-alerts.c: M4 alert settings (levels, quiet period) */
int page_alerts(struct req *);
/* page-pay.c: M3 online top-up; its channel's keys are read at the start
 * (page_pay_setup: 0, or -1 when a key is set but cannot be used) */
struct config;
int page_pay_setup(const struct config *);
int page_pay(struct req *);
int page_pay_return(struct req *);
int page_pay_order(struct req *);

#endif
