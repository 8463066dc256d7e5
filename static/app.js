/* app.js - the little script there is: a confirmation before a form that changes something serious. */
document.addEventListener('submit', function (e) {
	var msg = e.target.getAttribute('data-confirm');
	if (msg && !window.confirm(msg))
		e.preventDefault();
});
