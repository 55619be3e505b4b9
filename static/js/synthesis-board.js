/* The synthesis board: drag a card onto a theme column (HTML5 drag and drop).
 *
 * Each drop is one small htmx request to the card's move URL; the server answers with the card
 * and the two theme headers whose counts changed (out-of-band swaps). The keyboard way is the
 * "Move" form on every card, which posts to the same URL. No inline scripts (CSP), no libraries
 * but htmx.
 */
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) return;
  var live = document.getElementById("syn-live");
  var dragged = null;

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".syn-card");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-card-id"));
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    board.querySelectorAll(".syn-drop.is-over").forEach(function (el) { el.classList.remove("is-over"); });
  });

  board.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest(".syn-drop");
    if (!zone || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("is-over");
  });

  board.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest(".syn-drop");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-over");
  });

  board.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest(".syn-drop");
    if (!zone || !dragged) return;
    event.preventDefault();
    zone.classList.remove("is-over");
    var card = dragged;
    var form = card.querySelector("form.syn-move");
    var themeId = zone.getAttribute("data-theme-id") || "";
    var select = form.querySelector("select[name=theme]");
    if (select.value === themeId) return;
    select.value = themeId;
    // The same request the keyboard form makes (csrf token, next, theme) — one small POST.
    window.htmx.ajax("POST", form.getAttribute("action"), {
      source: form,
      target: "#" + card.id,
      swap: "outerHTML",
      values: { theme: themeId, csrfmiddlewaretoken: form.querySelector("[name=csrfmiddlewaretoken]").value }
    }).then(function () {
      if (live) {
        var title = zone.getAttribute("data-theme-title");
        live.textContent = title
          ? board.getAttribute("data-moved-label") + " " + title
          : board.getAttribute("data-unthemed-label");
      }
    });
  });

  // Keep keyboard focus on the moved card's "Move" list after its swap.
  document.addEventListener("htmx:afterSettle", function (event) {
    var card = event.detail.target;
    if (!card || !card.classList || !card.classList.contains("syn-card")) return;
    if (event.detail.requestConfig && event.detail.requestConfig.elt && event.detail.requestConfig.elt.matches("form.syn-move")) {
      var select = card.querySelector("select[name=theme]");
      if (select && document.activeElement === document.body) select.focus();
    }
  });
})();
