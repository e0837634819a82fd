// "/" on any page opens the search (as on GitHub and in many mail readers), unless one is typing in a field.
// On the search page itself it puts the cursor in the box. The "Search" link in the menu does the same by click.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || target.closest('input, textarea, select'))) return;
  event.preventDefault();
  const box = document.getElementById('search-q');
  if (box) box.focus();
  else window.location.assign('/search');
});
