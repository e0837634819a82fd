// Escape closes the open "More" dropdown (or, on a phone, the open "Menu") and puts the focus back on its
// summary, as menus do (WAI-ARIA Authoring Practices, disclosure navigation menu). Without this script they
// still open and close with Enter, Space or a click; this only adds the key.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || event.defaultPrevented) return;
  const open = [...document.querySelectorAll('#site-header details[open]')];
  if (open.length === 0) return;
  const inner = open[open.length - 1]; // "More" inside "Menu": close the innermost first
  inner.open = false;
  const summary = inner.querySelector(':scope > summary');
  if (summary) summary.focus();
  event.preventDefault();
});
