<?cs # sessions.cs - M1 我的登录: the student's own sessions, this phone marked 本机, a button to end each other one and one to end them all. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.Sessions.title) ?>
<?cs if:Form.ok ?><p class="ok" id="sessions-ok"><?cs var:Lang.Sessions.ok[Form.ok] ?></p><?cs /if ?>
<p class="note"><?cs var:Lang.Sessions.intro ?></p>
<?cs call:err("end") ?><?cs call:err("id") ?>
<ul class="sessions" id="sessions">
<?cs each:s = Sessions ?><li class="card<?cs if:s.mine == "1" ?> mine<?cs /if ?>" id="session-<?cs var:s.id ?>">
<p><strong title="<?cs var:s.agent ?>"><?cs if:s.browser ?><?cs var:s.browser ?><?cs else ?><?cs var:Lang.Sessions.unknown ?><?cs /if ?></strong><?cs if:s.mine == "1" ?> <strong class="here"><?cs var:Lang.Sessions.here ?></strong><?cs /if ?></p>
<p><?cs var:Lang.Sessions.created ?>: <?cs var:s.created ?><?cs if:s.remember == "1" ?> (<?cs var:Lang.Sessions.remember ?>)<?cs /if ?></p>
<p><?cs var:Lang.Sessions.seen ?>: <?cs var:s.seen ?> · <?cs var:Lang.Sessions.addr ?>: <?cs var:s.addr ?></p>
<?cs if:s.mine != "1" ?><form method="post" action="/m/sessions" class="inline"><input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>"><input type="hidden" name="end" value="one"><input type="hidden" name="id" value="<?cs var:s.id ?>"><button type="submit" class="btn"><?cs var:Lang.Sessions.end ?></button></form><?cs /if ?>
</li>
<?cs /each ?></ul>
<?cs if:Page.others ?>
<form method="post" action="/m/sessions" id="end-others"><input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>"><input type="hidden" name="end" value="others"><button type="submit" class="btn primary"><?cs var:Lang.Sessions.end_others ?></button></form>
<?cs else ?><p class="note" id="no-others"><?cs var:Lang.Sessions.no_others ?></p><?cs /if ?>
<p><a href="/m/" class="btn"><?cs var:Lang.btn.back ?></a></p>
<?cs call:foot() ?>
