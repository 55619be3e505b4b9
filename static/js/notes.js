/* The note-taking page: autosave, an offline queue in localStorage, conflicts, polling, shortcuts.

   Every note has a client id (a UUID made here). Saves go through one queue, kept in
   localStorage under the page's storage key, sent one at a time in the order they were made;
   the server stores a client id once, so a resend after a lost answer does no harm. A queue
   item is deleted as soon as the server confirms exactly that text. Keys are per user
   ("empathy-notes:u<user>:<interview>") and a queue saved by someone else is never loaded.
   Signing out clears the offline copy: the server's sign-out answer sends
   Clear-Site-Data: "storage" (from any page), and here a form with data-clear-offline also
   deletes this user's queues before it is sent. The server's answers that can never succeed
   (withdrawn, closed, forbidden) drop the item with a message; an item the server keeps failing
   on is set aside after a few tries so the rest go through. Polling for others' notes pauses
   after 25 minutes without keyboard or mouse use (so an idle page does not keep the session
   alive forever). No framework; no inline script (CSP). */
(function () {
  "use strict";

  var PREFIX = "empathy-notes:";
  var app = document.getElementById("notes-app");
  var me = app ? app.dataset.user : "";

  // Sign-out clears this user's offline copy of every interview.
  document.querySelectorAll("form[data-clear-offline]").forEach(function (form) {
    form.addEventListener("submit", clearMyQueues);
  });
  function clearMyQueues() {
    if (!me) return;
    var mine = PREFIX + "u" + me + ":";
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(mine) === 0) localStorage.removeItem(key);
      }
    } catch (e) { /* storage unavailable: nothing to clear */ }
  }

  if (!app) return;
  var d = app.dataset;
  var i18n = document.getElementById("notes-i18n").dataset;
  var teamNames = JSON.parse(document.getElementById("team-names").textContent || "{}");
  var KINDS = {};
  i18n.kinds.split("|").forEach(function (pair) { var p = pair.split("="); KINDS[p[0]] = p.slice(1).join("="); });
  var KIND_ORDER = Object.keys(KINDS);
  var FOLLOW_UPS = Array.prototype.map.call(document.querySelectorAll(".composer:first-of-type .composer-followup, .composer .composer-followup"), function (b) { return b.dataset.text; })
    .filter(function (t, i, all) { return all.indexOf(t) === i; });
  var MAX = parseInt(d.maxChars, 10) || 20000;
  var canWrite = d.canWrite === "1";
  var MAX_FAILURES = 5;  // server errors on one item before it is set aside
  var DROP = { withdrawn: 1, closed: 1, forbidden: 1 };  // refusals that no retry can fix
  var statusEl = document.getElementById("save-status");

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k] === undefined ? "" : values[k]; });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // --- The queue (localStorage) --------------------------------------------------------------

  var store = load();
  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(d.storageKey) || "null");
      if (s && Array.isArray(s.queue) && String(s.user) === String(me)) {
        s.queue.forEach(function (item) {  // set aside after failures: try again on a new visit
          if (item.blocked === "failed") { item.blocked = null; item.failures = 0; item.message = ""; }
        });
        return s;
      }
    } catch (e) { /* corrupt or unavailable */ }
    return { seq: 0, queue: [], user: me };
  }
  function persist() {
    try {
      if (store.queue.length) localStorage.setItem(d.storageKey, JSON.stringify(store));
      else localStorage.removeItem(d.storageKey);
    } catch (e) { /* full or unavailable: the queue still lives in memory */ }
  }
  function find(clientId) {
    for (var i = 0; i < store.queue.length; i++) if (store.queue[i].client_id === clientId) return store.queue[i];
    return null;
  }
  function removeItem(item) {
    store.queue = store.queue.filter(function (x) { return x !== item; });
    persist();
  }

  /* Put a note's latest text in the queue (one item per note; a later edit replaces the text). */
  function enqueue(note) {
    var item = find(note.client_id);
    if (!item) {
      item = { client_id: note.client_id, base: note.base || 0, seq: ++store.seq };
      store.queue.push(item);
    }
    item.body = note.body;
    item.kind = note.kind;
    item.prompt = note.prompt === undefined || note.prompt === null ? "" : String(note.prompt);
    item.created = item.created || new Date().toISOString();
    item.blocked = note.body.length > MAX ? "too_long" : null;
    item.message = item.blocked ? fmt(i18n.tooLong, { n: note.body.length.toLocaleString(), max: MAX.toLocaleString() }) : "";
    persist();
    showItemError(item);
    flush();
    return item;
  }

  // --- Sending ---------------------------------------------------------------------------------

  var sending = false, offline = false, signedOut = false, retryTimer = null, retryDelay = 3000, dropped = "";

  function nextItem() {
    var ready = store.queue.filter(function (x) { return !x.blocked; });
    ready.sort(function (a, b) { return a.seq - b.seq; });
    return ready[0] || null;
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function flush() {
    updateStatus();
    if (sending) return;
    var item = nextItem();
    if (!item) return;
    sending = true;
    var sent = { body: item.body, kind: item.kind, prompt: item.prompt };
    var form = new URLSearchParams();
    form.set("client_id", item.client_id);
    form.set("body", item.body);
    form.set("kind", item.kind);
    form.set("prompt", item.prompt);
    form.set("version", String(item.base || 0));
    updateStatus();
    fetch(d.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: form
    }).then(function (response) {
      return readJson(response).then(function (data) { handle(item, sent, response, data); });
    }).catch(function () {
      offline = true;
      sending = false;
      scheduleRetry();
      updateStatus();
    });
  }

  function readJson(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) return Promise.resolve(null);
    return response.json().catch(function () { return null; });
  }

  function handle(item, sent, response, data) {
    sending = false;
    offline = false;
    var status = response.status;
    if (status === 401 || (data === null && (status === 403 || response.redirected || status === 200))) {
      // Signed out (or the CSRF token went with the old session): keep everything, ask to sign in.
      signedOut = true;
      scheduleRetry();
      updateStatus();
      return;
    }
    signedOut = false;
    retryDelay = 3000;
    if (status === 200 && data && data.note) {
      var note = data.note;
      dropped = "";
      var unchanged = item.body === sent.body && item.kind === sent.kind && item.prompt === sent.prompt;
      if (unchanged && find(item.client_id) === item) removeItem(item);
      else item.base = note.version;
      persist();
      confirmed(note);
    } else if (status === 409 && data && data.note) {
      item.blocked = "conflict";
      item.server = data.note;
      item.message = data.message;
      persist();
      showConflict(item);
    } else if (status >= 500 || !data) {
      item.failures = (item.failures || 0) + 1;
      if (item.failures >= MAX_FAILURES) {  // set aside (kept here) so the other notes go through
        item.blocked = "failed";
        item.message = i18n.failed;
        persist();
        showItemError(item);
      } else {
        persist();
        offline = true;
        scheduleRetry();
      }
    } else if (data && DROP[data.error]) {
      // Withdrawn, closed or not allowed: no retry will ever save it. Say so, and drop the copy.
      dropped = data.message || String(status);
      removeItem(item);
      var li = noteEl(item.client_id);
      if (li) {
        li.classList.remove("pending");
        var mark = li.querySelector(".note-waiting");
        if (mark) mark.remove();
      }
      showItemError({ client_id: item.client_id, blocked: "dropped", message: fmt(i18n.dropped, { message: dropped }) });
    } else {
      // Refused (too long, empty, no consent, not allowed): the text stays here with the reason.
      item.blocked = (data && data.error) || "refused";
      item.message = (data && data.message) || String(status);
      persist();
      showItemError(item);
    }
    updateStatus();
    flush();
  }

  function typing() {  // a box with text not yet handed to the queue (autosave is a few seconds away)
    return composers.some(function (c) { return c.timer !== null; });
  }

  function updateStatus() {
    if (!canWrite && !store.queue.length) return;
    var waiting = store.queue.length;
    var blocked = store.queue.filter(function (x) { return x.blocked; });
    var state, text;
    statusEl.textContent = "";
    if (signedOut) {
      state = "signed-out";
      statusEl.appendChild(document.createTextNode(fmt(i18n.signedOut, { n: waiting }) + " "));
      var link = document.createElement("a");
      link.href = d.loginUrl;
      link.textContent = i18n.signIn;
      statusEl.appendChild(link);
      statusEl.dataset.state = state;
      return;
    }
    if (offline) { state = "offline"; text = fmt(i18n.offline, { n: waiting }); }
    else if (waiting > blocked.length || typing()) { state = "saving"; text = i18n.saving; }
    else if (blocked.length) { state = "refused"; text = fmt(i18n.refused, { message: blocked[0].message }); }
    else if (dropped) { state = "refused"; text = fmt(i18n.dropped, { message: dropped }); }
    else { state = "saved"; text = i18n.saved; }
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  // --- Rendering notes -----------------------------------------------------------------------

  function listFor(promptId) {
    var key = promptId === null || promptId === undefined ? "" : String(promptId);
    return app.querySelector('.note-list[data-prompt-id="' + key + '"]') || app.querySelector('.note-list[data-prompt-id=""]');
  }

  function setBody(el, text) {
    el.textContent = "";
    text.split("\n").forEach(function (line, i) {
      if (i) el.appendChild(document.createElement("br"));
      el.appendChild(document.createTextNode(line));
    });
    var li = el.closest("li.note");
    if (li) nameButtons(li);
  }

  function noteEl(clientId) { return document.getElementById("note-" + clientId); }

  /* Create or refresh a note's <li> from {client_id, kind, body, prompt, version, author, id, editable}. */
  function renderNote(note, pending) {
    var li = noteEl(note.client_id);
    if (!li) {
      li = document.getElementById("note-template").content.firstElementChild.cloneNode(true);
      li.id = "note-" + note.client_id;
      li.dataset.clientId = note.client_id;
      var time = li.querySelector("time");
      var at = note.created ? new Date(note.created) : new Date();
      time.dateTime = at.toISOString();
      time.textContent = at.toTimeString().slice(0, 5);
      listFor(note.prompt).appendChild(li);
    }
    if (li.classList.contains("editing")) return li;
    li.className = "note note-" + note.kind + (pending ? " pending" : "");
    li.dataset.kind = note.kind;
    if (note.version) li.dataset.version = note.version;
    if (note.id) li.dataset.noteId = note.id;
    li.dataset.author = note.author || me;
    li.dataset.editable = note.editable === false ? "0" : (note.editable || pending || li.dataset.editable === "1" ? "1" : "0");
    var badge = li.querySelector(".note-kind");
    badge.className = "note-kind badge kind-" + note.kind;
    badge.textContent = KINDS[note.kind] || note.kind;
    setBody(li.querySelector(".note-body"), note.body);
    li.querySelector(".note-author").textContent = teamNames[String(note.author || me)] || i18n.someone;
    var history = li.querySelector(".note-history");
    if (note.id) history.href = d.historyUrl.replace("/notes/0/", "/notes/" + note.id + "/");
    history.classList.toggle("d-none", !(note.version > 1));
    var mark = li.querySelector(".note-waiting");
    if (pending && !mark) {
      mark = document.createElement("span");
      mark.className = "note-waiting badge text-bg-warning ms-1";
      mark.textContent = i18n.waiting;
      li.querySelector(".note-meta").appendChild(mark);
    } else if (!pending && mark) {
      mark.remove();
    }
    decorate(li);
    return li;
  }

  function confirmed(note) {
    var composer = composerFor(note.client_id);
    if (composer) {  // still being typed: not in the list yet
      composer.base = note.version;
      composer.savedBody = note.body;
      composer.savedKind = note.kind;
      return;
    }
    var editing = editors[note.client_id];
    if (editing) editing.base = note.version;
    if (note.deleted) { var gone = noteEl(note.client_id); if (gone) gone.remove(); return; }
    var li = noteEl(note.client_id);
    if (find(note.client_id)) {  // a newer text is still waiting: keep showing that one
      if (li) { li.dataset.version = note.version; li.dataset.noteId = note.id; }
      return;
    }
    renderNote(note, false);
  }

  /* The first words of a note, to tell its buttons from the other notes' buttons. */
  function noteSummary(li) {
    var text = (li.querySelector(".note-body").textContent || "").replace(/\s+/g, " ").trim();
    return text.length > 60 ? text.slice(0, 57) + "…" : text;
  }

  /* Edit and delete buttons on notes this person may change. */
  function decorate(li) {
    if (!canWrite || li.dataset.editable !== "1" || li.querySelector(".note-actions")) return;
    var box = document.createElement("span");
    box.className = "note-actions ms-2";
    var edit = document.createElement("button");
    edit.type = "button";
    edit.className = "btn btn-link btn-sm p-0 note-edit";
    edit.textContent = i18n.edit;
    edit.addEventListener("click", function () { startEdit(li); });
    box.appendChild(edit);
    var del = document.createElement("button");
    del.type = "button";
    del.className = "btn btn-link btn-sm p-0 ms-2 text-danger note-delete";
    del.textContent = i18n.delete;
    del.addEventListener("click", function () { deleteNote(li); });
    box.appendChild(del);
    li.querySelector(".note-meta").appendChild(box);
    nameButtons(li);
  }

  /* Every note has an "Edit" and a "Delete": their accessible names say which note, and follow
     its text as it changes. The name starts with the visible word, so voice control finds it. */
  function nameButtons(li) {
    var edit = li.querySelector(".note-edit"), del = li.querySelector(".note-delete");
    if (!edit) return;
    var about = noteSummary(li);
    // A function, so "$&" and the like in a note's text are not read as replacement patterns.
    edit.setAttribute("aria-label", i18n.editNamed.replace("{text}", function () { return about; }));
    del.setAttribute("aria-label", i18n.deleteNamed.replace("{text}", function () { return about; }));
  }

  function showItemError(item) {
    var composer = composerFor(item.client_id);
    var box = composer ? composer.error : null;
    if (!box) {
      var li = noteEl(item.client_id);
      if (li) {
        box = li.querySelector(".note-error");
        if (!box) {
          box = document.createElement("p");
          box.className = "note-error small text-danger-emphasis mb-0";
          box.setAttribute("role", "alert");
          li.appendChild(box);
        }
      }
    }
    if (!box) return;
    box.hidden = !item.blocked || item.blocked === "conflict";
    box.textContent = item.blocked && item.blocked !== "conflict" ? item.message : "";
  }

  function showConflict(item) {
    var li = noteEl(item.client_id);
    if (!li) {
      var c = composerFor(item.client_id);
      if (c) finishDraft(c, true);
      li = renderNote({ client_id: item.client_id, kind: item.kind, body: item.body, prompt: item.prompt, editable: true }, true);
    }
    var old = li.querySelector(".conflict");
    if (old) old.remove();
    var box = document.createElement("div");
    box.className = "conflict alert alert-warning small mt-2 mb-0";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "fw-semibold mb-1";
    title.textContent = i18n.conflictTitle;
    box.appendChild(title);
    [[i18n.theirs, item.server.body], [i18n.yours, item.body]].forEach(function (pair) {
      var h = document.createElement("p");
      h.className = "mb-0 mt-1 fw-semibold";
      h.textContent = pair[0];
      var body = document.createElement("div");
      body.className = "conflict-text";
      setBody(body, pair[1]);
      box.appendChild(h);
      box.appendChild(body);
    });
    var actions = document.createElement("div");
    actions.className = "d-flex gap-2 mt-2";
    var mine = document.createElement("button");
    mine.type = "button";
    mine.className = "btn btn-sm btn-primary keep-mine";
    mine.textContent = i18n.keepMine;
    mine.addEventListener("click", function () {
      item.base = item.server.version;
      item.blocked = null;
      delete item.server;
      persist();
      box.remove();
      flush();
    });
    var theirs = document.createElement("button");
    theirs.type = "button";
    theirs.className = "btn btn-sm btn-outline-secondary keep-theirs";
    theirs.textContent = i18n.keepTheirs;
    theirs.addEventListener("click", function () {
      var server = item.server;
      removeItem(item);
      box.remove();
      renderNote(server, false);
      updateStatus();
    });
    actions.appendChild(mine);
    actions.appendChild(theirs);
    box.appendChild(actions);
    li.appendChild(box);
    updateStatus();
  }

  // --- Composers (one under each prompt) -----------------------------------------------------

  var composers = [];
  app.querySelectorAll(".composer").forEach(function (el) {
    var c = {
      el: el,
      text: el.querySelector(".composer-text"),
      error: el.querySelector(".composer-error"),
      count: el.querySelector(".char-count"),
      prompt: el.dataset.promptId,
      clientId: null,
      base: 0,
      timer: null,
      followUp: -1
    };
    composers.push(c);
    el.addEventListener("focusin", function () { activate(c); });
    c.text.addEventListener("input", function () {
      if (!c.clientId && c.text.value.trim()) c.clientId = uuid();
      showCount(c);
      if (!c.timer) {
        c.timer = setTimeout(function () { c.timer = null; saveDraft(c); updateStatus(); }, 3000);
        updateStatus();
      }
    });
    c.text.addEventListener("blur", function () { saveDraft(c); });
    el.querySelectorAll('input[type="radio"]').forEach(function (r) {
      r.addEventListener("change", function () { saveDraft(c); });
    });
    el.querySelector(".composer-save").addEventListener("click", function () { finishDraft(c); c.text.focus(); });
    el.querySelectorAll(".composer-followup").forEach(function (b) {
      b.addEventListener("click", function () { followUp(c, FOLLOW_UPS.indexOf(b.dataset.text)); });
    });
    el.querySelector(".composer-nonverbal").addEventListener("click", function () { nonverbal(c); });
  });

  /* The composer in use shows its kind buttons and actions (CSS hides the others'). */
  function activate(c) {
    composers.forEach(function (other) { other.el.classList.toggle("active", other === c); });
  }

  function composerFor(clientId) {
    for (var i = 0; i < composers.length; i++) if (composers[i].clientId === clientId) return composers[i];
    return null;
  }
  function kindOf(c) { var r = c.el.querySelector('input[type="radio"]:checked'); return r ? r.value : "quote"; }
  function setKind(c, kind) {
    var r = c.el.querySelector('input[type="radio"][value="' + kind + '"]');
    if (r) r.checked = true;
  }
  function showCount(c) {
    var n = c.text.value.length;
    c.count.textContent = n > MAX * 0.9 ? fmt(i18n.count, { n: n.toLocaleString() }) : "";
    if (n > MAX) {
      c.error.hidden = false;
      c.error.textContent = fmt(i18n.tooLong, { n: n.toLocaleString(), max: MAX.toLocaleString() });
    } else if (c.error.textContent && c.error.textContent.indexOf(MAX.toLocaleString()) !== -1) {
      c.error.hidden = true;
      c.error.textContent = "";
    }
  }

  /* Autosave the note being typed (it stays in the box). */
  function saveDraft(c) {
    if (c.timer) { clearTimeout(c.timer); c.timer = null; }
    var body = c.text.value;
    if (!c.clientId || !body.trim()) return null;
    if (body === c.savedBody && kindOf(c) === c.savedKind && !find(c.clientId)) return null;  // nothing new
    return enqueue({ client_id: c.clientId, body: body, kind: kindOf(c), prompt: c.prompt, base: c.base });
  }

  /* Save the note and start a new one: it moves into the list above the box. */
  function finishDraft(c, keepKind) {
    var item = saveDraft(c);
    if (c.clientId && c.text.value.trim()) {
      var li = renderNote({
        client_id: c.clientId, kind: kindOf(c), body: c.text.value, prompt: c.prompt,
        version: c.base || undefined, editable: true, created: item && item.created
      }, !!find(c.clientId));
      if (item && item.blocked) showItemError(item);
      li.dataset.version = c.base || li.dataset.version || "0";
    } else if (c.text.value.length > MAX) {
      return;  // refused: the text stays in the box with the message
    }
    c.clientId = null;
    c.base = 0;
    c.savedBody = c.savedKind = null;
    c.text.value = "";
    c.followUp = -1;
    c.error.hidden = true;
    c.error.textContent = "";
    showCount(c);
    if (!keepKind) {
      var k = kindOf(c);
      if (k === "follow_up" || k === "nonverbal") setKind(c, "quote");
    }
  }

  function followUp(c, index) {
    var current = c.text.value.trim();
    var isPhrase = FOLLOW_UPS.indexOf(current) !== -1;
    if (current && !isPhrase) finishDraft(c, true);
    if (index === undefined || index < 0) index = (c.followUp + 1) % FOLLOW_UPS.length;
    c.followUp = index;
    if (!c.clientId) c.clientId = uuid();
    setKind(c, "follow_up");
    c.text.value = FOLLOW_UPS[index];
    c.text.focus();
    c.text.setSelectionRange(c.text.value.length, c.text.value.length);
    saveDraft(c);
  }

  function nonverbal(c) {
    if (c.text.value.trim()) finishDraft(c, true);
    setKind(c, "nonverbal");
    c.text.focus();
  }

  function moveTo(c, step) {
    var i = composers.indexOf(c);
    var next = composers[Math.max(0, Math.min(composers.length - 1, i + step))];
    if (!next) return;
    if (c) saveDraft(c);
    next.text.focus();
    next.el.closest(".prompt-section").scrollIntoView({ block: "nearest" });
  }

  // --- Editing saved notes -------------------------------------------------------------------

  var editors = {};

  function startEdit(li) {
    if (li.classList.contains("editing")) return;
    var clientId = li.dataset.clientId;
    var item = find(clientId);
    var body = item ? item.body : li.querySelector(".note-body").innerText;
    li.classList.add("editing");
    var box = document.createElement("div");
    box.className = "note-editor mt-1";
    var area = document.createElement("textarea");
    area.className = "form-control";
    area.rows = Math.min(12, Math.max(2, body.split("\n").length + 1));
    area.value = body;
    area.setAttribute("aria-label", i18n.edit);
    box.appendChild(area);
    li.appendChild(box);
    var ed = { area: area, base: item ? item.base : parseInt(li.dataset.version, 10) || 0, timer: null };
    editors[clientId] = ed;
    function save() {
      if (ed.timer) { clearTimeout(ed.timer); ed.timer = null; }
      if (!area.value.trim()) return;
      var existing = find(clientId);
      if (existing && existing.body === area.value) return;
      if (!existing && area.value === body) return;
      enqueue({ client_id: clientId, body: area.value, kind: li.dataset.kind, prompt: li.parentElement.dataset.promptId, base: ed.base });
      body = area.value;
    }
    function close() {
      save();
      delete editors[clientId];
      box.remove();
      li.classList.remove("editing");
      setBody(li.querySelector(".note-body"), body);
      var btn = li.querySelector(".note-edit");
      if (btn) btn.focus();
    }
    area.addEventListener("input", function () {
      if (!ed.timer) ed.timer = setTimeout(function () { ed.timer = null; save(); }, 3000);
    });
    area.addEventListener("blur", close);
    area.addEventListener("keydown", function (e) {
      if (e.key === "Escape" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) { e.preventDefault(); area.blur(); }
    });
    area.focus();
  }

  function deleteNote(li) {
    if (!window.confirm(i18n.deleteConfirm)) return;
    var item = find(li.dataset.clientId);
    if (!li.dataset.noteId) {  // never reached the server: just drop the browser copy
      if (item) removeItem(item);
      li.remove();
      updateStatus();
      return;
    }
    var form = new URLSearchParams();
    form.set("version", li.dataset.version || "0");
    fetch(d.deleteUrl.replace("/notes/0/", "/notes/" + li.dataset.noteId + "/"), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }, body: form
    }).then(function (r) {
      return readJson(r).then(function (data) {
        if (r.ok) { if (item) removeItem(item); li.remove(); updateStatus(); }
        else window.alert((data && data.message) || r.status);
      });
    }).catch(function () { offline = true; updateStatus(); });
  }

  // --- Keyboard ------------------------------------------------------------------------------

  document.addEventListener("keydown", function (e) {
    if (!canWrite) return;
    var c = null;
    for (var i = 0; i < composers.length; i++) if (composers[i].text === document.activeElement) c = composers[i];
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      if (!c) { moveTo(null, 0); composers[0].text.focus(); return; }
      moveTo(c, e.key === "ArrowUp" ? -1 : 1);
      return;
    }
    if (!c) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); finishDraft(c); return; }
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      var digit = /^Digit([1-9])$/.exec(e.code || "");
      if (digit && KIND_ORDER[digit[1] - 1]) { e.preventDefault(); setKind(c, KIND_ORDER[digit[1] - 1]); saveDraft(c); return; }
      if (e.code === "KeyF") { e.preventDefault(); followUp(c); return; }
      if (e.code === "KeyN") { e.preventDefault(); nonverbal(c); return; }
    }
  });

  // --- Polling: the other note-taker's notes appear without a reload -------------------------

  var cursor = d.cursor;
  var IDLE_MS = (parseInt(d.idleMinutes, 10) || 25) * 60 * 1000;
  var lastActivity = Date.now(), paused = false;
  ["keydown", "mousedown", "mousemove", "touchstart", "wheel"].forEach(function (type) {
    document.addEventListener(type, function () { lastActivity = Date.now(); }, { passive: true, capture: true });
  });
  var pausedEl = document.getElementById("poll-paused");
  if (pausedEl) {
    pausedEl.querySelector("button").addEventListener("click", function () {
      lastActivity = Date.now();
      paused = false;
      pausedEl.hidden = true;
      poll();
    });
  }
  function poll() {
    if (document.hidden || signedOut || paused) return;
    if (Date.now() - lastActivity > IDLE_MS) {  // nobody here: stop asking the server
      paused = true;
      if (pausedEl) pausedEl.hidden = false;
      return;
    }
    fetch(d.changesUrl + "?since=" + encodeURIComponent(cursor), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (r.status === 401) { signedOut = true; updateStatus(); return null; }
      return readJson(r);
    }).then(function (data) {
      if (!data || !data.notes) return;
      cursor = data.cursor;
      data.notes.forEach(function (note) {
        if (composerFor(note.client_id) || editors[note.client_id] || find(note.client_id)) return;
        var li = noteEl(note.client_id);
        if (note.deleted) { if (li) li.remove(); return; }
        if (li && parseInt(li.dataset.version, 10) >= note.version) return;
        renderNote(note, false);
      });
      if (offline) { offline = false; flush(); }
    }).catch(function () { /* offline: the save queue shows it */ });
  }
  setInterval(poll, 5000);

  window.addEventListener("online", function () { retryDelay = 3000; if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; } flush(); });
  window.addEventListener("pagehide", function () { composers.forEach(saveDraft); });
  document.addEventListener("visibilitychange", function () { if (document.hidden) composers.forEach(saveDraft); });

  // --- Start: decorate, restore what this browser still holds, send it -----------------------

  app.querySelectorAll(".note-list > .note").forEach(decorate);
  if (composers.length) activate(composers[0]);
  store.queue.slice().sort(function (a, b) { return a.seq - b.seq; }).forEach(function (item) {
    renderNote({ client_id: item.client_id, kind: item.kind, body: item.body, prompt: item.prompt, editable: true, created: item.created }, true);
    if (item.blocked === "conflict" && item.server) showConflict(item);
    else showItemError(item);
  });
  updateStatus();
  flush();
})();
