<?cs # sessions.cs - 我的登录: the operator's own sessions, the one in use marked 本机, a button to end each other one and one to end them all. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.Sessions.title) ?>
<?cs if:Form.ok ?><p class="ok alert alert-success" role="status" id="sessions-ok"><?cs var:Lang.Sessions.ok[Form.ok] ?></p><?cs /if ?>
<p><?cs var:Lang.Sessions.intro ?></p>
<?cs call:err("end") ?><?cs call:err("id") ?>
<div class="table-responsive"><table class="list" id="sessions">
<tr><th><?cs var:Lang.Sessions.created ?></th><th><?cs var:Lang.Sessions.seen ?></th><th><?cs var:Lang.Sessions.addr ?></th><th><?cs var:Lang.Sessions.browser ?></th><th></th></tr>
<?cs each:s = Sessions ?><tr id="session-<?cs var:s.id ?>"<?cs if:s.mine == "1" ?> class="mine"<?cs /if ?>>
<td><?cs var:s.created ?></td><td><?cs var:s.seen ?></td><td><?cs var:s.addr ?></td>
<td title="<?cs var:s.agent ?>"><?cs if:s.browser ?><?cs var:s.browser ?><?cs else ?><?cs var:Lang.Sessions.unknown ?><?cs /if ?></td>
<td><?cs if:s.mine == "1" ?><strong class="here"><?cs var:Lang.Sessions.here ?></strong><?cs else ?><form method="post" action="/sessions" class="inline"><?cs call:csrf() ?><input type="hidden" name="end" value="one"><input type="hidden" name="id" value="<?cs var:s.id ?>"><button type="submit" class="btn btn-sm btn-outline-danger"><?cs var:Lang.Sessions.end ?></button></form><?cs /if ?></td></tr>
<?cs /each ?></table></div>
<?cs if:Page.others ?>
<form method="post" action="/sessions" id="end-others"><?cs call:csrf() ?><input type="hidden" name="end" value="others"><button type="submit" class="btn btn-danger"><?cs var:Lang.Sessions.end_others ?></button></form>
<?cs else ?><p class="note" id="no-others"><?cs var:Lang.Sessions.no_others ?></p><?cs /if ?>
<?cs call:foot() ?>
