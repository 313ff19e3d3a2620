// "Print" buttons ([data-tf-print]) of two-factor-ui: shown only when scripts run,
// they open the browser's print dialog; the page's print stylesheet shows the codes only.
for (const button of document.querySelectorAll("[data-tf-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
