/* app.js - the little script there is: a confirmation before a form that changes something serious, and the menu (which works without it too). */
document.documentElement.className += ' js';
document.addEventListener('submit', function (e) {
	var msg = e.target.getAttribute('data-confirm');
	if (msg && !window.confirm(msg))
		e.preventDefault();
});
/* the menu button opens and closes the menu on narrow screens */
document.addEventListener('click', function (e) {
	var t = e.target.closest ? e.target.closest('.navbar-toggler') : null;
	var groups = document.querySelectorAll('details.nav-group[open]');
	if (t) {
		var menu = document.getElementById(t.getAttribute('aria-controls'));
		var open = menu.classList.toggle('show');
		t.setAttribute('aria-expanded', open ? 'true' : 'false');
		return;
	}
	/* a click outside an open group closes it */
	for (var i = 0; i < groups.length; i++)
		if (!groups[i].contains(e.target))
			groups[i].open = false;
});
/* one group open at a time; Escape closes it */
document.addEventListener('toggle', function (e) {
	var d = e.target;
	if (!d.classList || !d.classList.contains('nav-group') || !d.open)
		return;
	var groups = document.querySelectorAll('details.nav-group[open]');
	for (var i = 0; i < groups.length; i++)
		if (groups[i] !== d)
			groups[i].open = false;
}, true);
document.addEventListener('keydown', function (e) {
	if (e.key !== 'Escape')
		return;
	var groups = document.querySelectorAll('details.nav-group[open]');
	for (var i = 0; i < groups.length; i++) {
		groups[i].open = false;
		groups[i].querySelector('summary').focus();
	}
});
