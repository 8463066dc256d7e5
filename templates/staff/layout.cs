<?cs # layout.cs - the page frame, navigation and the macros every page uses. ?>
<?cs # one menu item: shown with its right, marked when it is the page shown ?>
<?cs def:item(right, path, query, label) ?><?cs if:right ?><li><a class="dropdown-item<?cs if:Page.path == path ?> active" aria-current="page<?cs /if ?>" href="<?cs var:path ?>"><?cs var:label ?></a></li><?cs /if ?><?cs /def ?>
<?cs def:group(id, label) ?><li class="nav-item dropdown nav-group-item"><details class="nav-group" id="g-<?cs var:id ?>"><summary class="nav-link dropdown-toggle"><?cs var:label ?></summary><ul class="dropdown-menu"><?cs /def ?>
<?cs def:group_end() ?></ul></details></li><?cs /def ?>

<?cs def:menu() ?>
<nav class="menu" id="menu-nav" aria-label="<?cs var:Lang.menu.label ?>">
<ul class="navbar-nav">
<li class="nav-item"><a class="nav-link<?cs if:Page.path == "/" ?> active" aria-current="page<?cs /if ?>" href="/"><?cs var:Lang.nav.home ?></a></li>
<?cs call:group("login", Lang.menu.g_login) ?>
<li><a class="dropdown-item" href="/login?switch=1"><?cs var:Lang.menu.switch ?></a></li>
<?cs call:item(Op.right.F2, "/operators", "", Lang.nav.operators) ?>
<?cs call:item(Op.right.F3, "/roles", "", Lang.nav.roles) ?>
<?cs call:item(Op.right.F4, "/oplog", "", Lang.nav.oplog) ?>
<?cs call:item(Op.right.F5, "/password", "", Lang.nav.password) ?>
<?cs call:item(1, "/sessions", "", Lang.Sessions.title) ?>
<?cs call:item("1", "/totp", "", Lang.Totp.nav) ?>
<?cs call:group_end() ?>
<?cs if:Op.right.F6 || Op.right.F7 || Op.right.F8 || Op.right.F9 || Op.right.F10 ?>
<?cs call:group("system", Lang.menu.g_system) ?>
<?cs call:item(Op.right.F6, "/buildings", "", Lang.nav.buildings) ?>
<?cs call:item(Op.right.F7, "/gateways", "", Lang.nav.gateways) ?>
<?cs call:item(Op.right.F8, "/meters", "", Lang.nav.meters) ?>
<?cs call:item(Op.right.F8, "/meters/import", "", Lang.nav.import) ?>
<?cs call:item(Op.right.F9, "/rooms", "", Lang.nav.rooms) ?>
<?cs call:item(Op.right.F10, "/settings", "", Lang.nav.settings) ?>
<?cs call:item(Op.right.F10, "/tariffs", "", Lang.nav.tariffs) ?>
<?cs call:group_end() ?>
<?cs /if ?>
<?cs if:Op.right.F11 || Op.right.F12 || Op.right.F14 || Op.right.F15 || Op.right.F16 ?>
<?cs call:group("customer", Lang.menu.g_customer) ?>
<?cs call:item(Op.right.F11, "/account/open", "", Lang.nav.open) ?>
<?cs call:item(Op.right.F12, "/accounts", "", Lang.nav.accounts) ?>
<?cs call:item(Op.right.F14, "/closings", "", Lang.nav.closings) ?>
<?cs call:item(Op.right.F15, "/batch", "", Lang.nav.batch) ?>
<?cs call:item(Op.right.F16, "/meter/history", "", Lang.nav.history) ?>
<?cs call:group_end() ?>
<?cs /if ?>
<?cs if:Op.right.F15 || Op.right.F17 || Op.right.F18 || Op.right.F19 || Op.right.F20 || Op.right.F21 ?>
<?cs call:group("sales", Lang.menu.g_sales) ?>
<?cs call:item(Op.right.F17, "/sell", "", Lang.nav.sell) ?>
<?cs call:item(Op.right.F18, "/sales", "", Lang.nav.sales) ?>
<?cs call:item(Op.right.F19, "/refund", "", Lang.nav.refund) ?>
<?cs call:item(Op.right.F20, "/refunds", "", Lang.nav.refunds) ?>
<?cs call:item(Op.right.F18, "/reversals", "", Lang.nav.reversals) ?>
<?cs call:item(Op.right.F18, "/reconcile", "", Lang.nav.reconcile) ?>
<?cs call:item("1", "/approvals", "", Lang.nav.approvals) ?>
<?cs call:group_end() ?>
<?cs /if ?>
<?cs if:Op.right.PAY ?>
<?cs call:group("pay", Lang.menu.g_pay) ?>
<?cs call:item(Op.right.PAY, "/payments", "", Lang.menu.payments) ?>
<li><a class="dropdown-item" href="/payments?state=needs_refund"><?cs var:Lang.menu.payments_action ?></a></li>
<?cs call:item(Op.right.PAY, "/payments/bill", "", Lang.PayBill.menu) ?>
<?cs call:group_end() ?>
<?cs /if ?>
<?cs if:Op.right.F22 || Op.right.F23 || Op.right.F24 || Op.right.F25 || Op.right.F26 || Op.right.F27 || Op.right.F28 || Op.right.F29 || Op.right.F30 || Op.right.B9 ?>
<?cs call:group("reports", Lang.menu.g_reports) ?>
<?cs call:item(Op.right.F22, "/report/alarms", "", Lang.menu.alarms) ?>
<?cs call:item(Op.right.F23, "/report/sales/day", "", Lang.menu.sales_day) ?>
<?cs call:item(Op.right.F24, "/report/sales/month", "", Lang.menu.sales_month) ?>
<?cs call:item(Op.right.F25, "/report/sales/year", "", Lang.menu.sales_year) ?>
<?cs call:item(Op.right.F26, "/report/lost-meters", "", Lang.menu.lost_meters) ?>
<?cs call:item(Op.right.F27, "/report/lost-gateways", "", Lang.menu.lost_gateways) ?>
<?cs call:item(Op.right.F28, "/report/energy", "", Lang.menu.energy) ?>
<?cs call:item(Op.right.F29, "/report/instruments", "", Lang.menu.instruments) ?>
<?cs call:item(Op.right.F30, "/report/alarm-history", "", Lang.menu.alarm_history) ?>
<?cs call:item(Op.right.F28, "/report/losses", "", Lang.menu.losses) ?>
<?cs call:item(Op.right.B9, "/health", "", Lang.menu.health) ?>
<?cs call:group_end() ?>
<?cs /if ?>
</ul>
</nav>
<?cs /def ?>

<?cs def:head(title) ?><!DOCTYPE html>
<html lang="<?cs var:Page.lang ?>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:title ?> - <?cs var:Site.site_title ?></title>
<link rel="stylesheet" href="/bootstrap5/css/bootstrap.min.css">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js"></script>
</head>
<body>
<header class="top navbar navbar-expand-lg navbar-dark">
<div class="container-fluid">
<a class="brand navbar-brand" href="/"><?cs if:Site.site_logo ?><img src="<?cs var:Site.site_logo ?>" alt="" class="logo"><?cs /if ?><?cs var:Site.site_title ?></a>
<a class="lang nav-link" href="/lang?to=<?cs var:Lang.nav.lang_other_code ?>&amp;back=<?cs var:url_escape(CGI.RequestURI) ?>"><?cs var:Lang.nav.lang_other ?></a>
<?cs if:Op.login ?>
<button class="navbar-toggler" type="button" aria-controls="menu" aria-expanded="false" aria-label="<?cs var:Lang.menu.toggle ?>"><span class="navbar-toggler-icon"></span></button>
<div class="collapse navbar-collapse" id="menu">
<?cs if:!Op.must_change ?><?cs call:menu() ?><?cs /if ?>
<div class="operator">
<span class="who navbar-text"><?cs var:Op.name ?> (<?cs var:Op.login ?>)</span>
<a class="nav-link" href="/login?switch=1"><?cs var:Lang.nav.switch ?></a>
<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="<?cs var:Op.csrf ?>"><button type="submit" class="link nav-link"><?cs var:Lang.nav.logout ?></button></form>
</div>
</div>
<?cs /if ?>
</div>
</header>
<main>
<h1><?cs var:title ?></h1>
<?cs if:Page.ok ?><p class="ok alert alert-success" role="status"><?cs var:Lang.ok[Page.ok] ?></p><?cs /if ?>
<?cs /def ?>

<?cs def:foot() ?>
</main>
</body>
</html>
<?cs /def ?>

<?cs # a field's error, next to it ?>
<?cs def:err(name) ?><?cs if:Form.err[name] ?><span class="err" id="err-<?cs var:name ?>"><?cs var:Form.err[name] ?></span><?cs /if ?><?cs /def ?>

<?cs def:text(name, label, type) ?>
<label for="f-<?cs var:name ?>"><?cs var:label ?></label>
<input id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="<?cs var:type ?>" value="<?cs var:Form[name] ?>" class="form-control<?cs if:Form.err[name] ?> bad is-invalid" aria-invalid="true" aria-describedby="err-<?cs var:name ?><?cs /if ?>">
<?cs call:err(name) ?>
<?cs /def ?>

<?cs def:pw(name, label, auto) ?>
<label for="f-<?cs var:name ?>"><?cs var:label ?></label>
<input id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="password" autocomplete="<?cs var:auto ?>" class="form-control<?cs if:Form.err[name] ?> bad is-invalid" aria-invalid="true" aria-describedby="err-<?cs var:name ?><?cs /if ?>">
<?cs call:err(name) ?>
<?cs /def ?>

<?cs def:otp(label, focus) ?>
<label for="f-code"><?cs var:label ?></label>
<input id="f-code" name="code" value="<?cs var:Form.code ?>" inputmode="numeric" autocomplete="one-time-code" maxlength="6"<?cs if:focus ?> autofocus<?cs /if ?> class="form-control<?cs if:Form.err.code ?> bad is-invalid" aria-invalid="true" aria-describedby="err-code<?cs /if ?>">
<?cs call:err("code") ?>
<?cs /def ?>

<?cs def:csrf() ?><input type="hidden" name="csrf" value="<?cs var:Op.csrf ?>"><?cs /def ?>

<?cs # a sortable column heading ?>
<?cs def:th(key, label) ?><th><a href="?<?cs if:List.base ?><?cs var:List.base ?>&amp;<?cs /if ?>sort=<?cs if:List.sortkey == key && !List.desc ?>-<?cs /if ?><?cs var:key ?>"><?cs var:label ?><?cs if:List.sortkey == key ?><?cs if:List.desc ?> ▼<?cs else ?> ▲<?cs /if ?><?cs /if ?></a></th><?cs /def ?>

<?cs def:pager() ?>
<p class="pager"><?cs var:Lang.page.total ?> <span class="total"><?cs var:List.total ?></span> <?cs var:Lang.page.rows ?>,
<?cs var:Lang.page.page ?> <?cs var:List.page ?><?cs var:Lang.page.of ?><?cs var:List.pages ?>
<?cs if:List.prev ?><a href="?<?cs if:List.base ?><?cs var:List.base ?>&amp;<?cs /if ?>sort=<?cs var:List.sort ?>&amp;page=<?cs var:List.prev ?>"><?cs var:Lang.btn.prev ?></a><?cs /if ?>
<?cs if:List.next ?><a href="?<?cs if:List.base ?><?cs var:List.base ?>&amp;<?cs /if ?>sort=<?cs var:List.sort ?>&amp;page=<?cs var:List.next ?>"><?cs var:Lang.btn.next ?></a><?cs /if ?>
<a class="export" href="?<?cs if:List.base ?><?cs var:List.base ?>&amp;<?cs /if ?>sort=<?cs var:List.sort ?>&amp;export=xlsx"><?cs var:Lang.btn.export ?></a>
</p>
<?cs /def ?>
