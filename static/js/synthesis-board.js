/* The synthesis board: drag a card onto a theme column (HTML5 drag and drop).
 *
 * Each drop is one small htmx request to the card's move URL; the server answers with the card
 * and the two theme headers whose counts changed (out-of-band swaps). The keyboard way is the
 * card's "Move to theme…" button, which loads a small form posting to the same URL. No inline
 * scripts (CSP), no libraries but htmx.
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
    var themeId = zone.getAttribute("data-theme-id") || "";
    if ((card.getAttribute("data-theme-id") || "") === themeId) return;
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    // The same request the keyboard form makes — one small POST to the card's move URL.
    window.htmx.ajax("POST", card.getAttribute("data-move-url"), {
      source: card,
      target: "#" + card.id,
      swap: "outerHTML",
      values: { theme: themeId, csrfmiddlewaretoken: token ? token.value : "" }
    }).then(function () {
      if (live) {
        var title = zone.getAttribute("data-theme-title");
        live.textContent = title
          ? board.getAttribute("data-moved-label") + " " + title
          : board.getAttribute("data-unthemed-label");
      }
    });
  });

  // Keyboard: when a card's move form arrives, put focus on its list; after a move, back on
  // the card's "Move to theme…" button so the next Tab continues from the same place.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList) return;
    if (target.classList.contains("syn-move-slot")) {
      var select = target.querySelector("select[name=theme]");
      if (select) select.focus();
    } else if (target.classList.contains("syn-card") || (target.id && target.id.indexOf("card-") === 0)) {
      var card = document.getElementById(target.id);
      var button = card && card.querySelector(".syn-move-slot a");
      if (button && (document.activeElement === document.body || !document.activeElement)) button.focus();
    }
  });
})();
