/* receipt.js - a print just asked for opens the browser's print dialog. */
window.addEventListener('load', function () { window.print(); });
