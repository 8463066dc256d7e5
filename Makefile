# Makefile - builds, runs and tests the prepaid electricity system (one flat file).
CC ?= cc
PKGS = libmariadb libcrypto fcgi xlsxwriter libmodbus
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat-security \
	-Wmissing-prototypes -Wno-unused-parameter -Ilib \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Debian's hardening (dpkg-buildflags): stack protector, fortified libc
# calls, position-independent executables, read-only relocations
CFLAGS += -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -pie -Wl,-z,relro,-z,now
# only the FastCGI programs see the web headers (lib/ and collector/ cannot)
WEBFLAGS = -Icgi-bin -I/usr/include/ClearSilver
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CSLIBS = -lneo_cgi -lneo_cs -lneo_utl -lz
B = build

# libprepaid: the utilities and the domain (money, tariffs, reconciliation,
# import), linked by every program; no web header in it.
LIB_OBJS = \
	$(B)/lib/accounts.o \
	$(B)/lib/alarms.o \
	$(B)/lib/approvals.o \
	$(B)/lib/balance.o \
	$(B)/lib/batches.o \
	$(B)/lib/cmdq.o \
	$(B)/lib/config.o \
	$(B)/lib/crypto.o \
	$(B)/lib/csvimp.o \
	$(B)/lib/dashboard.o \
	$(B)/lib/db.o \
	$(B)/lib/energy.o \
	$(B)/lib/forecast.o \
	$(B)/lib/health.o \
	$(B)/lib/import.o \
	$(B)/lib/ledger.o \
	$(B)/lib/log.o \
	$(B)/lib/money.o \
	$(B)/lib/oplog.o \
	$(B)/lib/pay.o \
	$(B)/lib/pay-alipay.o \
	$(B)/lib/pay-refund.o \
	$(B)/lib/pay-wechat.o \
	$(B)/lib/otp.o \
	$(B)/lib/reconcile.o \
	$(B)/lib/roles.o \
	$(B)/lib/sales.o \
	$(B)/lib/settings.o \
	$(B)/lib/students.o \
	$(B)/lib/tariff.o \
	$(B)/lib/tariffs.o \
	$(B)/lib/tiers.o \
	$(B)/lib/token.o \
	$(B)/lib/totp.o \
	$(B)/lib/valid.o \
	$(B)/lib/xlsx.o

KIT_OBJS = \
	$(B)/cgi-bin/agent.o \
	$(B)/cgi-bin/loop.o \
	$(B)/cgi-bin/metrics.o \
	$(B)/cgi-bin/web.o

# the staff console: its main, session and rights, router and pages
STAFF_OBJS = \
	$(B)/cgi-bin/staff/main.o \
	$(B)/cgi-bin/staff/money-forms.o \
	$(B)/cgi-bin/staff/page-accounts.o \
	$(B)/cgi-bin/staff/page-adjust.o \
	$(B)/cgi-bin/staff/page-alarms.o \
	$(B)/cgi-bin/staff/page-approvals.o \
	$(B)/cgi-bin/staff/page-auth.o \
	$(B)/cgi-bin/staff/page-batch.o \
	$(B)/cgi-bin/staff/page-buildings.o \
	$(B)/cgi-bin/staff/page-close.o \
	$(B)/cgi-bin/staff/page-energy.o \
	$(B)/cgi-bin/staff/page-gateways.o \
	$(B)/cgi-bin/staff/page-health.o \
	$(B)/cgi-bin/staff/page-history.o \
	$(B)/cgi-bin/staff/page-home.o \
	$(B)/cgi-bin/staff/page-lost.o \
	$(B)/cgi-bin/staff/page-meterchange.o \
	$(B)/cgi-bin/staff/page-meters.o \
	$(B)/cgi-bin/staff/page-metrics.o \
	$(B)/cgi-bin/staff/page-operators.o \
	$(B)/cgi-bin/staff/page-oplog.o \
	$(B)/cgi-bin/staff/page-payments.o \
	$(B)/cgi-bin/staff/page-payrefund.o \
	$(B)/cgi-bin/staff/page-paybill.o \
	$(B)/cgi-bin/staff/page-read.o \
	$(B)/cgi-bin/staff/page-reconcile.o \
	$(B)/cgi-bin/staff/page-report-sales.o \
	$(B)/cgi-bin/staff/page-reversal.o \
	$(B)/cgi-bin/staff/page-roles.o \
	$(B)/cgi-bin/staff/page-rooms.o \
	$(B)/cgi-bin/staff/page-sales.o \
	$(B)/cgi-bin/staff/page-sell.o \
	$(B)/cgi-bin/staff/page-sessions.o \
	$(B)/cgi-bin/staff/page-settings.o \
	$(B)/cgi-bin/staff/page-student.o \
	$(B)/cgi-bin/staff/page-tariffs.o \
	$(B)/cgi-bin/staff/page-totp.o \
	$(B)/cgi-bin/staff/router.o

# the student site: its main, session, router and pages
MOBILE_OBJS = \
	$(B)/cgi-bin/mobile/main.o \
	$(B)/cgi-bin/mobile/page-alerts.o \
	$(B)/cgi-bin/mobile/page-auth.o \
	$(B)/cgi-bin/mobile/page-code.o \
	$(B)/cgi-bin/mobile/page-home.o \
	$(B)/cgi-bin/mobile/page-pay.o \
	$(B)/cgi-bin/mobile/page-phone.o \
	$(B)/cgi-bin/mobile/page-sessions.o \
	$(B)/cgi-bin/mobile/page-export.o \
	$(B)/cgi-bin/mobile/page-privacy.o \
	$(B)/cgi-bin/mobile/router.o \
	$(B)/lib/pay-http.o

# pay.fcgi: the gateways' notices, under its own database account
PAY_OBJS = \
	$(B)/cgi-bin/pay/main.o

ADMIN_OBJS = \
	$(B)/cgi-bin/admin/main.o \
	$(B)/cgi-bin/admin/purge.o \
	$(B)/lib/pay-bill.o \
	$(B)/lib/pay-sync.o \
	$(B)/lib/pay-http.o

COLLECTOR_OBJS = \
	$(B)/collector-obj/alarm.o \
	$(B)/collector-obj/bus.o \
	$(B)/collector-obj/command.o \
	$(B)/collector-obj/lease.o \
	$(B)/collector-obj/main.o \
	$(B)/collector-obj/pdu.o \
	$(B)/collector-obj/poll.o \
	$(B)/collector-obj/profile.o \
	$(B)/collector-obj/sms.o \
	$(B)/collector-obj/store.o

UNIT_TESTS = \
	$(B)/test_collector \
	$(B)/test_forecast \
	$(B)/test_lib \
	$(B)/test_sim \
	$(B)/test_token \
	$(B)/test_wipe \
	$(B)/test_totp

PROGS = $(B)/staff.fcgi $(B)/mobile.fcgi $(B)/pay.fcgi $(B)/prepaid-admin $(B)/hello.fcgi $(B)/meter-sim \
	$(B)/collector $(B)/reportloop $(B)/paynotify

all: $(PROGS) $(UNIT_TESTS)

$(B)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/cgi-bin/%.o: cgi-bin/%.c cgi-bin/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WEBFLAGS) -c -o $@ $<

$(B)/cgi-bin/staff/%.o: cgi-bin/staff/%.c cgi-bin/staff/*.h cgi-bin/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WEBFLAGS) -Icgi-bin/staff -c -o $@ $<

$(B)/cgi-bin/mobile/%.o: cgi-bin/mobile/%.c cgi-bin/mobile/*.h cgi-bin/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WEBFLAGS) -Icgi-bin/mobile -c -o $@ $<

$(B)/cgi-bin/pay/%.o: cgi-bin/pay/%.c cgi-bin/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WEBFLAGS) -c -o $@ $<

# prepaid-admin is no web program: lib only (and payments-sync's HTTPS
# client, lib/pay-sync.c and lib/pay-http.c, on libcurl; the student site
# links lib/pay-http.c too, for WeChat Pay's order call)
$(B)/cgi-bin/admin/%.o: cgi-bin/admin/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libprepaid.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(B)/staff.fcgi: $(STAFF_OBJS) $(KIT_OBJS) $(B)/libprepaid.a
	$(CC) $(CFLAGS) -o $@ $(STAFF_OBJS) $(KIT_OBJS) $(B)/libprepaid.a $(CSLIBS) $(LIBS)

$(B)/mobile.fcgi: $(MOBILE_OBJS) $(KIT_OBJS) $(B)/libprepaid.a
	$(CC) $(CFLAGS) -o $@ $(MOBILE_OBJS) $(KIT_OBJS) $(B)/libprepaid.a $(CSLIBS) $(LIBS) -lcurl

$(B)/pay.fcgi: $(PAY_OBJS) $(KIT_OBJS) $(B)/libprepaid.a
	$(CC) $(CFLAGS) -o $@ $(PAY_OBJS) $(KIT_OBJS) $(B)/libprepaid.a $(CSLIBS) $(LIBS)

$(B)/prepaid-admin: $(ADMIN_OBJS) $(B)/libprepaid.a
	$(CC) $(CFLAGS) -o $@ $(ADMIN_OBJS) $(B)/libprepaid.a $(LIBS) -lcurl -lz

$(B)/collector-obj/%.o: collector/%.c collector/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/collector: $(COLLECTOR_OBJS) $(B)/libprepaid.a
	$(CC) $(CFLAGS) -o $@ $(COLLECTOR_OBJS) $(B)/libprepaid.a $(LIBS) -lpthread

# profile.c is pure: the command structs from lib/cmdq.h, no database
$(B)/test_collector: tests/unit/test_collector.c collector/profile.c collector/pdu.c collector/*.h \
		lib/cmdq.h lib/tariff.h
	$(CC) $(CFLAGS) -Icollector -o $@ tests/unit/test_collector.c collector/profile.c collector/pdu.c

$(B)/hello.fcgi: tests/bench/hello.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBS)

# make bench's limit for the reports: their lib calls alone, and bare libxlsxwriter
$(B)/reportloop: tests/bench/reportloop.c $(B)/libprepaid.a
	$(CC) $(CFLAGS) -o $@ $< $(B)/libprepaid.a $(LIBS) -lpthread

# make bench's limit for pay_notify: the notices' verification and credit alone
$(B)/paynotify: tests/bench/paynotify.c $(B)/libprepaid.a
	$(CC) $(CFLAGS) -o $@ $< $(B)/libprepaid.a $(LIBS) -lpthread

$(B)/meter-sim: tests/sim/*.c tests/sim/*.h lib/token.c lib/token.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LIBS) -lpthread -lutil

$(B)/test_lib: tests/unit/test_lib.c $(B)/libprepaid.a
	$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer \
		-o $@ tests/unit/test_lib.c $(LIB_OBJS:$(B)/lib/%.o=lib/%.c) $(LIBS)

$(B)/test_forecast: tests/unit/test_forecast.c $(B)/libprepaid.a
	$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer \
		-o $@ tests/unit/test_forecast.c $(LIB_OBJS:$(B)/lib/%.o=lib/%.c) $(LIBS)

$(B)/test_sim: tests/unit/test_sim.c tests/sim/crc16.c tests/sim/pdu.c tests/sim/*.h
	$(CC) $(CFLAGS) -o $@ tests/unit/test_sim.c tests/sim/crc16.c tests/sim/pdu.c

# lib/totp.c with the key file and hex of lib/crypto.c, with the sanitizers
$(B)/test_totp: tests/unit/test_totp.c lib/totp.c lib/totp.h lib/crypto.c lib/crypto.h lib/log.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer \
		-o $@ tests/unit/test_totp.c lib/totp.c lib/crypto.c lib/log.c $(LIBS)

$(B)/test_token: tests/unit/test_token.c lib/token.c lib/token.h
	$(CC) $(CFLAGS) -o $@ tests/unit/test_token.c lib/token.c $(LIBS)

# the web kit's form_wipe, with the kit and ClearSilver
$(B)/test_wipe: tests/unit/test_wipe.c $(KIT_OBJS) $(B)/libprepaid.a
	$(CC) $(CFLAGS) $(WEBFLAGS) -o $@ tests/unit/test_wipe.c $(KIT_OBJS) $(B)/libprepaid.a $(CSLIBS) $(LIBS)

# Fuzzing: clang's libFuzzer with AddressSanitizer and UBSan (tests/fuzz/).
# Its objects live in build/fuzz/ with their own flags; `make fuzz` runs each
# harness for FUZZ_SECONDS on its corpus, make test for 30 seconds.
FUZZ_CC = clang
FUZZ_SECONDS ?= 600
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -std=c11 \
	-D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wno-string-concatenation -Ilib \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LD = $(FUZZ_CC) -g $(FUZZ_SAN) -fsanitize=fuzzer
FB = $(B)/fuzz
FUZZERS = money config csv pdu modem modbus request wechat alipay bill
FUZZ_LIB_OBJS = $(LIB_OBJS:$(B)/%=$(FB)/%)

$(FB)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FB)/cgi-bin/%.o: cgi-bin/%.c cgi-bin/*.h lib/*.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WEBFLAGS) -c -o $@ $<

$(FB)/collector/%.o: collector/%.c collector/*.h lib/*.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icollector -c -o $@ $<

$(FB)/libprepaid.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $(FUZZ_LIB_OBJS)

$(FB)/money: tests/fuzz/money.c $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/libprepaid.a

$(FB)/config: tests/fuzz/config.c $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/libprepaid.a

$(FB)/wechat: tests/fuzz/wechat.c $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/libprepaid.a $(LIBS)

$(FB)/alipay: tests/fuzz/alipay.c $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/libprepaid.a $(LIBS)
# pay-bill.c itself is included by the harness (its unzip is static)
$(FB)/bill: tests/fuzz/bill.c lib/pay-bill.c lib/pay-http.c $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@.o $<
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@-http.o lib/pay-http.c
	$(FUZZ_LD) -o $@ $@.o $@-http.o $(FB)/libprepaid.a $(LIBS) -lcurl -lz

$(FB)/csv: tests/fuzz/csv.c $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/libprepaid.a

# the simulator's decoder checks what the collector's encoder wrote
$(FB)/pdu: tests/fuzz/pdu.c $(FB)/collector/pdu.o tests/sim/pdu.c tests/sim/pdu.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icollector -c -o $@.o $<
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $(FB)/sim-pdu.o tests/sim/pdu.c
	$(FUZZ_LD) -o $@ $@.o $(FB)/collector/pdu.o $(FB)/sim-pdu.o

# sms.c itself is included by the harness (its modem functions are static)
$(FB)/modem: tests/fuzz/modem.c collector/sms.c collector/*.h $(FB)/collector/pdu.o \
		$(FB)/collector/profile.o $(FB)/collector/bus.o $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icollector -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/collector/pdu.o $(FB)/collector/profile.o $(FB)/collector/bus.o \
		$(FB)/libprepaid.a $(LIBS)

# bus.c and profile.c as built, the Modbus library replaced by the harness
$(FB)/modbus: tests/fuzz/modbus.c $(FB)/collector/bus.o $(FB)/collector/profile.o $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icollector -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/collector/bus.o $(FB)/collector/profile.o \
		$(FB)/libprepaid.a

# loop.c is included by the harness (its request functions are static)
$(FB)/request: tests/fuzz/request.c cgi-bin/loop.c $(FB)/cgi-bin/web.o $(FB)/cgi-bin/metrics.o $(FB)/libprepaid.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WEBFLAGS) -c -o $@.o $<
	$(FUZZ_LD) -o $@ $@.o $(FB)/cgi-bin/web.o $(FB)/cgi-bin/metrics.o \
		$(FB)/libprepaid.a $(CSLIBS) $(LIBS)

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZERS:%=$(FB)/%)

fuzz: fuzz-build
	@for f in $(FUZZERS); do \
		sh tests/fuzz/run.sh $$f $(FUZZ_SECONDS) || exit 1; \
	done

# make run: set up and start everything (idempotent); make stop: stop it.
run:
	@sh conf/prepaidctl deps
	@$(MAKE) --no-print-directory all
	@sh conf/prepaidctl start

stop:
	@sh conf/prepaidctl stop

status:
	@sh conf/prepaidctl status

test:
	@sh conf/prepaidctl deps test
	@$(MAKE) --no-print-directory all
	@sh tests/run

backup:
	@sh conf/prepaidctl backup $(FILE)

# 14.2.5 the software bill of materials (var/sbom.json, or FILE=...)
.PHONY: sbom
sbom: all
	@sh conf/prepaidctl sbom $(FILE)

# make restore FILE=var/backup/prepaid-....tar.gz (into an empty instance)
restore:
	@$(MAKE) --no-print-directory all
	@sh conf/prepaidctl restore $(FILE)

# the demo site under load for SOAK_MINUTES (default 30); stop `make run` first
soak:
	@sh conf/prepaidctl deps test
	@$(MAKE) --no-print-directory all
	@/usr/bin/python3 tests/soak/soak.py

# The fault campaign (minutes): its own instance (var/faults, port FAULTS_PORT, default 18094),
# FAULTS_ROUNDS (default 3) of each fault; prints the table, fails on any invariant violation.
faults:
	@sh conf/prepaidctl deps test
	@$(MAKE) --no-print-directory all
	@/usr/bin/python3 tests/faults/run.py

# The Galera cluster test (about 5 minutes on 2 cores; not in make test): three MariaDB Galera nodes
# on loopback under var/cluster (SQL 3311-3313, group 4567-4569, IST 4577-4579), two web hosts on
# 18152 and 18153, the payment sandbox on 18160, simulators on 16400-16439; sales and payments while
# a node is killed -9 and rejoins and a collector is killed -9; prints the table in tests/out/cluster.txt,
# fails on any invariant violation.
test-cluster:
	@sh conf/prepaidctl deps cluster
	@$(MAKE) --no-print-directory all
	@/usr/bin/python3 tests/cluster/run.py

bench:
	@sh conf/prepaidctl deps test
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run

# 100,000 meters alone (tests/bench/scale.sh, about 4 minutes); BENCH_SCALE=1 make bench runs it last
bench-scale:
	@sh conf/prepaidctl deps test
	@$(MAKE) --no-print-directory all
	@sh tests/bench/scale.sh

clean:
	rm -rf $(B)

.PHONY: all run stop status test bench bench-scale clean backup restore soak faults test-cluster
