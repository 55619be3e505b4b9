/* Interview guides: drag-and-drop reordering of prompts (the HTML5 drag-and-drop API),
 * keyboard focus kept across htmx swaps, focus after filling a prompt from the library,
 * and the print button. No inline scripts (the CSP forbids them), no dependencies but htmx.
 *
 * Drag and drop is the mouse path; the ↑ ↓ buttons are the keyboard path and work without
 * JavaScript (plain form posts). Both end in the same server-rendered #prompt-groups. */
(function () {
  "use strict";

  var dragged = null;
  var dropped = false;

  function closest(node, selector) {
    while (node && node.nodeType !== 1) node = node.parentNode;
    return node ? node.closest(selector) : null;
  }

  function groupsElement() {
    return document.getElementById("prompt-groups");
  }

  /* The item the dragged one should go before, from the pointer's height. */
  function itemBefore(list, y) {
    var items = list.querySelectorAll("li[data-prompt-id]:not(.is-dragging)");
    for (var i = 0; i < items.length; i++) {
      var box = items[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return items[i];
    }
    return null;
  }

  function clearTargets() {
    document.querySelectorAll(".prompt-list.is-drop-target").forEach(function (el) {
      el.classList.remove("is-drop-target");
    });
  }

  function refreshGroups() {
    /* The drop was cancelled: ask the server for the order it holds. */
    window.htmx.ajax("GET", window.location.pathname, { target: "#prompt-groups", swap: "outerHTML" });
  }

  document.addEventListener("dragstart", function (event) {
    var item = closest(event.target, "li[data-prompt-id]");
    if (!item || !closest(item, "ol[data-sortable]")) return;
    dragged = item;
    dropped = false;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-prompt-id"));
    item.classList.add("is-dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var list = closest(event.target, "ol[data-sortable]");
    if (!list) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var before = itemBefore(list, event.clientY);
    if (before) {
      if (before !== dragged.nextElementSibling) list.insertBefore(dragged, before);
    } else if (list.lastElementChild !== dragged) {
      list.appendChild(dragged);
    }
    if (!list.classList.contains("is-drop-target")) {
      clearTargets();
      list.classList.add("is-drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    var list = closest(event.target, "ol[data-sortable]");
    if (!list) return;
    event.preventDefault();
    dropped = true;
    var order = Array.prototype.map.call(list.querySelectorAll("li[data-prompt-id]"), function (li) {
      return li.getAttribute("data-prompt-id");
    });
    var groups = groupsElement();
    window.htmx.ajax("POST", groups.getAttribute("data-reorder-url"), {
      source: list,
      target: "#prompt-groups",
      swap: "outerHTML",
      values: { kind: list.getAttribute("data-kind"), order: order.join(",") },
    });
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("is-dragging");
    clearTargets();
    var wasDropped = dropped;
    dragged = null;
    if (!wasDropped) refreshGroups();
  });

  /* After an htmx swap: keep keyboard focus on the button just used (the moved prompt's
   * ↑ or ↓, or its other button when it reached an end); focus the filled-in prompt. The
   * groups are swapped outerHTML, so look the new elements up rather than use the target. */
  document.addEventListener("htmx:afterSettle", function (event) {
    var refocus = document.querySelector("#prompt-groups [data-refocus]");
    if (refocus) {
      refocus.removeAttribute("data-refocus");
      if (refocus.disabled) {
        refocus = refocus.parentNode.querySelector("button:not([disabled])") || refocus;
      }
      refocus.focus();
      return;
    }
    var target = event.detail.target;
    if (target && target.id === "add-prompt") {
      var textarea = target.querySelector("textarea");
      if (textarea) {
        textarea.focus();
        textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      }
    }
  });

  document.addEventListener("click", function (event) {
    var button = closest(event.target, "[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
