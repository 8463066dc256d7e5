<?cs # layout.cs - the student site's page frame for a phone, and the macros its pages use. ?>
<?cs def:head(title) ?><!DOCTYPE html>
<html lang="<?cs var:Page.lang ?>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:title ?> - <?cs var:Site.site_title ?></title>
<link rel="stylesheet" href="/static/mobile.css">
</head>
<body>
<header class="top">
<a class="brand" href="/m/"><?cs var:Lang.app ?></a>
<span class="links">
<a href="/m/lang?to=<?cs var:Lang.nav.lang_other_code ?>&amp;back=<?cs var:url_escape(CGI.RequestURI) ?>"><?cs var:Lang.nav.lang_other ?></a>
<?cs if:Me.signed ?>
<?cs if:!Me.must_change ?><a href="/m/password"><?cs var:Lang.nav.password ?></a><?cs /if ?>
<form method="post" action="/m/logout" class="inline"><input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>"><button type="submit" class="link"><?cs var:Lang.nav.logout ?></button></form>
<?cs /if ?>
</span>
</header>
<main>
<h1><?cs var:title ?></h1>
<?cs /def ?>

<?cs def:foot() ?>
</main>
<footer class="site"><?cs var:Site.site_title ?></footer>
</body>
</html>
<?cs /def ?>

<?cs # a field's error, next to it ?>
<?cs def:err(name) ?><?cs if:Form.err[name] ?><span class="err" id="err-<?cs var:name ?>"><?cs var:Form.err[name] ?></span><?cs /if ?><?cs /def ?>

<?cs def:pw(name, label, auto) ?>
<label for="f-<?cs var:name ?>"><?cs var:label ?></label>
<input id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="password" autocomplete="<?cs var:auto ?>" maxlength="128"<?cs if:Form.err[name] ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err(name) ?>
<?cs /def ?>
