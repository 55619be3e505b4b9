/* Highlighting a note: select words with the mouse, or with Shift+arrow keys after focusing the
 * note text, and the note's highlight form fills in the words and their character offsets into
 * the note body. Typing or pasting the words into the form works without JavaScript too (the
 * server finds them). The offsets are JavaScript string offsets (UTF-16 code units), named so:
 * start_utf16 / end_utf16.
 */
(function () {
  "use strict";

  function offsetWithin(root, node, offset) {
    // UTF-16 code units of root's text before the boundary (node, offset), whatever the node
    // is (a text node, the root, or an element such as a <mark> of an earlier highlight): the
    // length of a range from root's start to the boundary. The server converts these units to
    // its own character indexes (an emoji counts two here, one there).
    var range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function capture(textEl) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    if (!textEl.contains(range.startContainer) || !textEl.contains(range.endContainer)) return;
    var start = offsetWithin(textEl, range.startContainer, range.startOffset);
    var end = offsetWithin(textEl, range.endContainer, range.endOffset);
    if (end <= start) return;
    var form = document.getElementById(textEl.getAttribute("data-form"));
    if (!form) return;
    form.querySelector("[name=start_utf16]").value = start;
    form.querySelector("[name=end_utf16]").value = end;
    form.querySelector("[name=quote]").value = textEl.textContent.slice(start, end);
    var details = form.closest("details");
    if (details) details.open = true;
  }

  document.querySelectorAll("[data-note-text]").forEach(function (textEl) {
    textEl.addEventListener("mouseup", function () { capture(textEl); });
    textEl.addEventListener("keyup", function (event) { if (event.shiftKey) capture(textEl); });
  });

  // The keyboard way: a copy of the note in the form; Shift+arrows select in it. It is not
  // `readonly` because Chromium then gives it no caret to move; edits are refused instead.
  document.querySelectorAll("textarea[data-note-select]").forEach(function (area) {
    var original = area.value;
    area.addEventListener("beforeinput", function (event) { event.preventDefault(); });
    area.addEventListener("input", function () { area.value = original; });
    function fill() {
      if (area.selectionEnd <= area.selectionStart) return;
      var form = area.form;
      form.querySelector("[name=start_utf16]").value = area.selectionStart;
      form.querySelector("[name=end_utf16]").value = area.selectionEnd;
      form.querySelector("[name=quote]").value = area.value.slice(area.selectionStart, area.selectionEnd);
    }
    area.addEventListener("select", fill);
    area.addEventListener("keyup", fill);
    area.addEventListener("mouseup", fill);
  });

  // A typed quote no longer matches the captured offsets: let the server find the words.
  document.querySelectorAll("form[data-highlight-form] [name=quote]").forEach(function (input) {
    input.addEventListener("input", function () {
      var form = input.form;
      form.querySelector("[name=start_utf16]").value = "";
      form.querySelector("[name=end_utf16]").value = "";
    });
  });
})();
