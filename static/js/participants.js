// "Select all on this page" for the next-invitations list. No inline handlers (strict CSP).
document.addEventListener("change", (event) => {
  const toggle = event.target.closest("[data-select-all]");
  if (!toggle) return;
  const name = toggle.dataset.selectAll;
  toggle.form.querySelectorAll(`input[type=checkbox][name="${name}"]`).forEach((box) => {
    box.checked = toggle.checked;
  });
});
