<?cs # layout.cs - the page frame, navigation and the macros every page uses. ?>
<?cs # the menu: each item written out, shown with its right (r) and marked when it is the page shown (p); a macro call an item, and a walk through the Lang link for each label, were half of a form page's rendering ?>

<?cs def:menu() ?><?cs with:r = Op.right ?><?cs with:n = Lang.nav ?><?cs with:m = Lang.menu ?><?cs with:p = Page.path ?>
<nav class="menu" id="menu-nav" aria-label="<?cs var:m.label ?>">
<ul class="navbar-nav">
<li class="nav-item"><a class="nav-link<?cs if:p == "/" ?> active" aria-current="page<?cs /if ?>" href="/"><?cs var:n.home ?></a></li>
<li class="nav-item dropdown nav-group-item"><details class="nav-group" id="g-login"><summary class="nav-link dropdown-toggle"><?cs var:m.g_login ?></summary><ul class="dropdown-menu">
<li><a class="dropdown-item" href="/login?switch=1"><?cs var:m.switch ?></a></li>
<?cs if:r.F2 ?><li><a class="dropdown-item<?cs if:p == "/operators" ?> active" aria-current="page<?cs /if ?>" href="/operators"><?cs var:n.operators ?></a></li><?cs /if ?>
<?cs if:r.F3 ?><li><a class="dropdown-item<?cs if:p == "/roles" ?> active" aria-current="page<?cs /if ?>" href="/roles"><?cs var:n.roles ?></a></li><?cs /if ?>
<?cs if:r.F4 ?><li><a class="dropdown-item<?cs if:p == "/oplog" ?> active" aria-current="page<?cs /if ?>" href="/oplog"><?cs var:n.oplog ?></a></li><?cs /if ?>
<?cs if:r.F5 ?><li><a class="dropdown-item<?cs if:p == "/password" ?> active" aria-current="page<?cs /if ?>" href="/password"><?cs var:n.password ?></a></li><?cs /if ?>
<li><a class="dropdown-item<?cs if:p == "/sessions" ?> active" aria-current="page<?cs /if ?>" href="/sessions"><?cs var:Lang.Sessions.title ?></a></li>
<li><a class="dropdown-item<?cs if:p == "/totp" ?> active" aria-current="page<?cs /if ?>" href="/totp"><?cs var:Lang.Totp.nav ?></a></li>
</ul></details></li>
<?cs if:r.F6 || r.F7 || r.F8 || r.F9 || r.F10 ?>
<li class="nav-item dropdown nav-group-item"><details class="nav-group" id="g-system"><summary class="nav-link dropdown-toggle"><?cs var:m.g_system ?></summary><ul class="dropdown-menu">
<?cs if:r.F6 ?><li><a class="dropdown-item<?cs if:p == "/buildings" ?> active" aria-current="page<?cs /if ?>" href="/buildings"><?cs var:n.buildings ?></a></li><?cs /if ?>
<?cs if:r.F7 ?><li><a class="dropdown-item<?cs if:p == "/gateways" ?> active" aria-current="page<?cs /if ?>" href="/gateways"><?cs var:n.gateways ?></a></li><?cs /if ?>
<?cs if:r.F8 ?><li><a class="dropdown-item<?cs if:p == "/meters" ?> active" aria-current="page<?cs /if ?>" href="/meters"><?cs var:n.meters ?></a></li><?cs /if ?>
<?cs if:r.F8 ?><li><a class="dropdown-item<?cs if:p == "/meters/import" ?> active" aria-current="page<?cs /if ?>" href="/meters/import"><?cs var:n.import ?></a></li><?cs /if ?>
<?cs if:r.F9 ?><li><a class="dropdown-item<?cs if:p == "/rooms" ?> active" aria-current="page<?cs /if ?>" href="/rooms"><?cs var:n.rooms ?></a></li><?cs /if ?>
<?cs if:r.F10 ?><li><a class="dropdown-item<?cs if:p == "/settings" ?> active" aria-current="page<?cs /if ?>" href="/settings"><?cs var:n.settings ?></a></li><?cs /if ?>
<?cs if:r.F10 ?><li><a class="dropdown-item<?cs if:p == "/tariffs" ?> active" aria-current="page<?cs /if ?>" href="/tariffs"><?cs var:n.tariffs ?></a></li><?cs /if ?>
</ul></details></li>
<?cs /if ?>
<?cs if:r.F11 || r.F12 || r.F14 || r.F15 || r.F16 ?>
<li class="nav-item dropdown nav-group-item"><details class="nav-group" id="g-customer"><summary class="nav-link dropdown-toggle"><?cs var:m.g_customer ?></summary><ul class="dropdown-menu">
<?cs if:r.F11 ?><li><a class="dropdown-item<?cs if:p == "/account/open" ?> active" aria-current="page<?cs /if ?>" href="/account/open"><?cs var:n.open ?></a></li><?cs /if ?>
<?cs if:r.F12 ?><li><a class="dropdown-item<?cs if:p == "/accounts" ?> active" aria-current="page<?cs /if ?>" href="/accounts"><?cs var:n.accounts ?></a></li><?cs /if ?>
<?cs if:r.F14 ?><li><a class="dropdown-item<?cs if:p == "/closings" ?> active" aria-current="page<?cs /if ?>" href="/closings"><?cs var:n.closings ?></a></li><?cs /if ?>
<?cs if:r.F15 ?><li><a class="dropdown-item<?cs if:p == "/batch" ?> active" aria-current="page<?cs /if ?>" href="/batch"><?cs var:n.batch ?></a></li><?cs /if ?>
<?cs if:r.F16 ?><li><a class="dropdown-item<?cs if:p == "/meter/history" ?> active" aria-current="page<?cs /if ?>" href="/meter/history"><?cs var:n.history ?></a></li><?cs /if ?>
</ul></details></li>
<?cs /if ?>
<?cs if:r.F15 || r.F17 || r.F18 || r.F19 || r.F20 || r.F21 ?>
<li class="nav-item dropdown nav-group-item"><details class="nav-group" id="g-sales"><summary class="nav-link dropdown-toggle"><?cs var:m.g_sales ?></summary><ul class="dropdown-menu">
<?cs if:r.F17 ?><li><a class="dropdown-item<?cs if:p == "/sell" ?> active" aria-current="page<?cs /if ?>" href="/sell"><?cs var:n.sell ?></a></li><?cs /if ?>
<?cs if:r.F18 ?><li><a class="dropdown-item<?cs if:p == "/sales" ?> active" aria-current="page<?cs /if ?>" href="/sales"><?cs var:n.sales ?></a></li><?cs /if ?>
<?cs if:r.F19 ?><li><a class="dropdown-item<?cs if:p == "/refund" ?> active" aria-current="page<?cs /if ?>" href="/refund"><?cs var:n.refund ?></a></li><?cs /if ?>
<?cs if:r.F20 ?><li><a class="dropdown-item<?cs if:p == "/refunds" ?> active" aria-current="page<?cs /if ?>" href="/refunds"><?cs var:n.refunds ?></a></li><?cs /if ?>
<?cs if:r.F18 ?><li><a class="dropdown-item<?cs if:p == "/reversals" ?> active" aria-current="page<?cs /if ?>" href="/reversals"><?cs var:n.reversals ?></a></li><?cs /if ?>
<?cs if:r.F18 ?><li><a class="dropdown-item<?cs if:p == "/reconcile" ?> active" aria-current="page<?cs /if ?>" href="/reconcile"><?cs var:n.reconcile ?></a></li><?cs /if ?>
<li><a class="dropdown-item<?cs if:p == "/approvals" ?> active" aria-current="page<?cs /if ?>" href="/approvals"><?cs var:n.approvals ?></a></li>
</ul></details></li>
<?cs /if ?>
<?cs if:r.PAY ?>
<li class="nav-item dropdown nav-group-item"><details class="nav-group" id="g-pay"><summary class="nav-link dropdown-toggle"><?cs var:m.g_pay ?></summary><ul class="dropdown-menu">
<?cs if:r.PAY ?><li><a class="dropdown-item<?cs if:p == "/payments" ?> active" aria-current="page<?cs /if ?>" href="/payments"><?cs var:m.payments ?></a></li><?cs /if ?>
<li><a class="dropdown-item" href="/payments?state=needs_refund"><?cs var:m.payments_action ?></a></li>
<?cs if:r.PAY ?><li><a class="dropdown-item<?cs if:p == "/payments/bill" ?> active" aria-current="page<?cs /if ?>" href="/payments/bill"><?cs var:Lang.PayBill.menu ?></a></li><?cs /if ?>
</ul></details></li>
<?cs /if ?>
<?cs if:r.F22 || r.F23 || r.F24 || r.F25 || r.F26 || r.F27 || r.F28 || r.F29 || r.F30 || r.B9 ?>
<li class="nav-item dropdown nav-group-item"><details class="nav-group" id="g-reports"><summary class="nav-link dropdown-toggle"><?cs var:m.g_reports ?></summary><ul class="dropdown-menu">
<?cs if:r.F22 ?><li><a class="dropdown-item<?cs if:p == "/report/alarms" ?> active" aria-current="page<?cs /if ?>" href="/report/alarms"><?cs var:m.alarms ?></a></li><?cs /if ?>
<?cs if:r.F23 ?><li><a class="dropdown-item<?cs if:p == "/report/sales/day" ?> active" aria-current="page<?cs /if ?>" href="/report/sales/day"><?cs var:m.sales_day ?></a></li><?cs /if ?>
<?cs if:r.F24 ?><li><a class="dropdown-item<?cs if:p == "/report/sales/month" ?> active" aria-current="page<?cs /if ?>" href="/report/sales/month"><?cs var:m.sales_month ?></a></li><?cs /if ?>
<?cs if:r.F25 ?><li><a class="dropdown-item<?cs if:p == "/report/sales/year" ?> active" aria-current="page<?cs /if ?>" href="/report/sales/year"><?cs var:m.sales_year ?></a></li><?cs /if ?>
<?cs if:r.F26 ?><li><a class="dropdown-item<?cs if:p == "/report/lost-meters" ?> active" aria-current="page<?cs /if ?>" href="/report/lost-meters"><?cs var:m.lost_meters ?></a></li><?cs /if ?>
<?cs if:r.F27 ?><li><a class="dropdown-item<?cs if:p == "/report/lost-gateways" ?> active" aria-current="page<?cs /if ?>" href="/report/lost-gateways"><?cs var:m.lost_gateways ?></a></li><?cs /if ?>
<?cs if:r.F28 ?><li><a class="dropdown-item<?cs if:p == "/report/energy" ?> active" aria-current="page<?cs /if ?>" href="/report/energy"><?cs var:m.energy ?></a></li><?cs /if ?>
<?cs if:r.F29 ?><li><a class="dropdown-item<?cs if:p == "/report/instruments" ?> active" aria-current="page<?cs /if ?>" href="/report/instruments"><?cs var:m.instruments ?></a></li><?cs /if ?>
<?cs if:r.F30 ?><li><a class="dropdown-item<?cs if:p == "/report/alarm-history" ?> active" aria-current="page<?cs /if ?>" href="/report/alarm-history"><?cs var:m.alarm_history ?></a></li><?cs /if ?>
<?cs if:r.F28 ?><li><a class="dropdown-item<?cs if:p == "/report/losses" ?> active" aria-current="page<?cs /if ?>" href="/report/losses"><?cs var:m.losses ?></a></li><?cs /if ?>
<?cs if:r.B9 ?><li><a class="dropdown-item<?cs if:p == "/health" ?> active" aria-current="page<?cs /if ?>" href="/health"><?cs var:m.health ?></a></li><?cs /if ?>
</ul></details></li>
<?cs /if ?>
</ul>
</nav>
<?cs /with ?><?cs /with ?><?cs /with ?><?cs /with ?><?cs /def ?>

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
