<?cs # layout.cs - the page frame, navigation and the macros every page uses. ?>
<?cs def:head(title) ?><!DOCTYPE html>
<html lang="<?cs var:Page.lang ?>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:title ?> - <?cs var:Site.site_title ?></title>
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/"><?cs if:Site.site_logo ?><img src="<?cs var:Site.site_logo ?>" alt="" class="logo"><?cs /if ?><?cs var:Site.site_title ?></a>
<?cs if:Op.login ?>
<span class="who"><?cs var:Op.name ?> (<?cs var:Op.login ?>)</span>
<a href="/login?switch=1"><?cs var:Lang.nav.switch ?></a>
<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="<?cs var:Op.csrf ?>"><button type="submit" class="link"><?cs var:Lang.nav.logout ?></button></form>
<?cs /if ?>
<a href="/lang?to=<?cs var:Lang.nav.lang_other_code ?>&amp;back=<?cs var:url_escape(CGI.RequestURI) ?>"><?cs var:Lang.nav.lang_other ?></a>
</header>
<?cs if:Op.login && !Op.must_change ?>
<nav class="menu">
<a href="/"><?cs var:Lang.nav.home ?></a>
<?cs if:Op.right.F2 ?><a href="/operators"><?cs var:Lang.nav.operators ?></a><?cs /if ?>
<?cs if:Op.right.F3 ?><a href="/roles"><?cs var:Lang.nav.roles ?></a><?cs /if ?>
<?cs if:Op.right.F4 ?><a href="/oplog"><?cs var:Lang.nav.oplog ?></a><?cs /if ?>
<?cs if:Op.right.F5 ?><a href="/password"><?cs var:Lang.nav.password ?></a><?cs /if ?>
<?cs if:Op.right.F6 ?><a href="/buildings"><?cs var:Lang.nav.buildings ?></a><?cs /if ?>
<?cs if:Op.right.F9 ?><a href="/rooms"><?cs var:Lang.nav.rooms ?></a><?cs /if ?>
<?cs if:Op.right.F7 ?><a href="/gateways"><?cs var:Lang.nav.gateways ?></a><?cs /if ?>
<?cs if:Op.right.F8 ?><a href="/meters"><?cs var:Lang.nav.meters ?></a><?cs /if ?>
<?cs if:Op.right.F10 ?><a href="/settings"><?cs var:Lang.nav.settings ?></a><a href="/tariffs"><?cs var:Lang.nav.tariffs ?></a><?cs /if ?>
<?cs if:Op.right.F16 ?><a href="/meter/history"><?cs var:Lang.nav.history ?></a><?cs /if ?>
<?cs if:Op.right.F15 ?><a href="/batch"><?cs var:Lang.nav.batch ?></a><?cs /if ?>
<?cs if:Op.right.F11 ?><a href="/account/open"><?cs var:Lang.nav.open ?></a><?cs /if ?>
<?cs if:Op.right.F12 ?><a href="/accounts"><?cs var:Lang.nav.accounts ?></a><?cs /if ?>
<?cs if:Op.right.F14 ?><a href="/closings"><?cs var:Lang.nav.closings ?></a><?cs /if ?>
<?cs if:Op.right.F17 ?><a href="/sell"><?cs var:Lang.nav.sell ?></a><?cs /if ?>
<?cs if:Op.right.F18 ?><a href="/sales"><?cs var:Lang.nav.sales ?></a><?cs /if ?>
<?cs if:Op.right.F19 ?><a href="/refund"><?cs var:Lang.nav.refund ?></a><?cs /if ?>
<a href="/approvals"><?cs var:Lang.nav.approvals ?></a>
<?cs if:Op.right.F18 ?><a href="/reconcile"><?cs var:Lang.nav.reconcile ?></a><?cs /if ?>
<?cs if:Op.right.F20 ?><a href="/refunds"><?cs var:Lang.nav.refunds ?></a><?cs /if ?>
<?cs if:Op.right.F18 ?><a href="/reversals"><?cs var:Lang.nav.reversals ?></a><?cs /if ?>
</nav>
<?cs /if ?>
<main>
<h1><?cs var:title ?></h1>
<?cs if:Page.ok ?><p class="ok" role="status"><?cs var:Lang.ok[Page.ok] ?></p><?cs /if ?>
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
<input id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="<?cs var:type ?>" value="<?cs var:Form[name] ?>"<?cs if:Form.err[name] ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err(name) ?>
<?cs /def ?>

<?cs def:pw(name, label, auto) ?>
<label for="f-<?cs var:name ?>"><?cs var:label ?></label>
<input id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="password" autocomplete="<?cs var:auto ?>"<?cs if:Form.err[name] ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err(name) ?>
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
