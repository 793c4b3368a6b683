/* e-Surat demo: the resident's web chat and the staff's moderation pane. Polls the JSON API; no framework. */
(function () {
  "use strict";
  const root = document.getElementById("demo");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const log = $("chat-log"), choicesBox = $("chat-choices"), form = $("chat-form"), input = $("chat-input");
  const fileInput = $("chat-file"), sampleBtn = $("send-sample");
  const select = $("staff-kelurahan"), cardsBox = $("cards"), staffName = $("staff-name"), staffError = $("staff-error");
  const maxBytes = Number(root.dataset.maxBytes), sampleUrl = root.dataset.sampleUrl;
  const maxText = Number(root.dataset.maxText), tooLong = root.dataset.tooLong;
  const CHAT_EVERY = 700, CARDS_EVERY = 1000;

  let cursor = 0, lastBot = null, started = false, firstPoll = true;
  const seen = new Set();

  const clientId = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function call(url, options) {
    try {
      const r = await fetch(url, Object.assign({ credentials: "same-origin", cache: "no-store" }, options || {}));
      let body = {};
      try { body = await r.json(); } catch (e) { body = {}; }
      return { status: r.status, ok: r.ok, body: body };
    } catch (e) {
      return { status: 0, ok: false, body: { error: "Tidak dapat terhubung ke server. Coba lagi." } };
    }
  }
  const postJson = (url, data) => call(url, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data),
  });

  /* Text with *bold* as <strong>; never HTML. */
  function rich(el, text) {
    const re = /\*([^*\n]+)\*/g;
    let last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      const b = document.createElement("strong");
      b.textContent = m[1];
      el.appendChild(b);
      last = re.lastIndex;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  function bubble(who, extra) {
    const hint = log.querySelector(".hint");
    if (hint) hint.remove();
    const d = document.createElement("div");
    d.className = "msg " + who + (extra ? " " + extra : "");
    log.appendChild(d);
    return d;
  }
  const scrollDown = () => { log.scrollTop = log.scrollHeight; };

  function link(href, text, cls, attrs) {
    const a = document.createElement("a");
    a.href = href; a.textContent = text; a.className = cls;
    Object.entries(attrs || {}).forEach(([k, v]) => a.setAttribute(k, v));
    return a;
  }

  function showMessage(m) {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    const d = bubble("bot", m.type === "document" ? "doc" : "");
    d.dataset.id = m.id;
    if (m.type === "document") {
      const p = document.createElement("p");
      rich(p, m.caption || "Surat Anda telah terbit.");
      d.appendChild(p);
      if (m.url) {
        const links = document.createElement("p");
        links.className = "links";
        links.appendChild(link(m.url, "Unduh surat (PDF)", "download", { download: m.filename || "surat.pdf" }));
        links.appendChild(link(m.verify_url, "Periksa keaslian (tautan kode QR)", "verify",
          { target: "_blank", rel: "noopener" }));
        d.appendChild(links);
      }
    } else {
      rich(d, m.text || "");
    }
    if (!lastBot || m.id > lastBot.id) lastBot = m;
  }

  function renderChoices() {
    choicesBox.replaceChildren();
    const list = lastBot && lastBot.type === "text" ? lastBot.choices : [];
    if (!started && !lastBot) {
      addChoice("Mulai", () => sendText("/start", "Mulai"));
      return;
    }
    choicesBox.classList.toggle("list", !!(lastBot && lastBot.style === "list"));
    (list || []).forEach((c) => addChoice(c.title, () => sendChoice(c.value, c.title)));
  }

  function addChoice(title, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = title;
    b.addEventListener("click", () => { choicesBox.replaceChildren(); onClick(); });
    choicesBox.appendChild(b);
  }

  function note(text, cls) {
    const d = bubble("system", cls);
    d.textContent = text;
    scrollDown();
  }

  async function pollChat() {
    const r = await call("/demo/api/chat/messages?after=" + cursor);
    if (!r.ok) return;
    const before = lastBot;
    (r.body.messages || []).forEach(showMessage);
    cursor = Math.max(cursor, r.body.cursor || 0);
    if (lastBot !== before || firstPoll) renderChoices();
    if (lastBot !== before) scrollDown();
    firstPoll = false;
  }

  /* The engine's reply (polled) tells the resident what became of a message or a file; the answer's own
     error only when the engine was not told (nothing sent, unreadable, no connection). */
  async function after(result) {
    if (result.body.error) note(result.body.error, "warn");
    await pollChat();
  }

  /* The server's one limit (data-max-text), counted as it counts: characters, not UTF-16 units. */
  const tooLongText = (text) => [...text.trim()].length > maxText;

  async function sendText(text, shown) {
    started = true;
    const d = bubble("me");
    d.textContent = shown || text || "(pesan kosong)";
    scrollDown();
    await after(await postJson("/demo/api/chat/message", { text: text, client_id: clientId() }));
  }

  async function sendChoice(value, title) {
    started = true;
    const d = bubble("me");
    d.textContent = title;
    scrollDown();
    await after(await postJson("/demo/api/chat/choice", { value: value, client_id: clientId() }));
  }

  async function sendFile(blob, name) {
    started = true;
    const d = bubble("me", "file");
    d.textContent = "Berkas: " + name;
    scrollDown();
    const data = new FormData();
    if (blob.size > maxBytes) {  /* not sent: its size is all the server needs to answer */
      data.append("size", String(blob.size));
      data.append("name", name);
    } else {
      data.append("file", blob, name);
    }
    await after(await call("/demo/api/chat/upload", { method: "POST", body: data }));
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value;
    if (tooLongText(text)) {  /* kept in the input, to be shortened */
      note(tooLong, "warn");
      return;
    }
    input.value = "";
    sendText(text);
  });
  fileInput.addEventListener("change", () => {
    const f = fileInput.files && fileInput.files[0];
    if (f) sendFile(f, f.name);
    fileInput.value = "";
  });
  sampleBtn.addEventListener("click", async () => {
    const r = await fetch(sampleUrl, { credentials: "same-origin" });
    if (!r.ok) { note("Contoh KTP tidak dapat dimuat.", "warn"); return; }
    sendFile(await r.blob(), "ktp-contoh.png");
  });

  /* ---- staff pane ---- */
  let slug = select.value, cardCursor = 0;
  const shown = new Map();

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function buildGroup(g) {
    const box = el("div", "group");
    box.appendChild(el("p", "label", g.label + (g.rows.length ? " (" + g.rows.length + " orang)" : ": tidak ada")));
    if (!g.rows.length) return box;
    const t = el("table", "group-table"), head = el("tr");
    ["No."].concat(g.columns).forEach((c) => head.appendChild(el("th", "", c)));
    t.appendChild(el("thead")).appendChild(head);
    const body = el("tbody");
    g.rows.forEach((row, i) => {
      const tr = el("tr");
      [String(i + 1)].concat(row).forEach((c) => tr.appendChild(el("td", "", c)));
      body.appendChild(tr);
    });
    t.appendChild(body);
    box.appendChild(t);
    return box;
  }

  function buildCard(card) {
    const a = el("article", "card status-" + card.status);
    a.dataset.requestId = card.request_id;
    a.setAttribute("aria-labelledby", "card-" + card.request_id);
    const h = el("h3", "", "Permohonan " + card.code);
    h.id = "card-" + card.request_id;
    a.appendChild(h);
    a.appendChild(el("p", "sub", card.title + " - Kelurahan " + card.kelurahan));
    if (card.submitted) a.appendChild(el("p", "sub submitted", card.submitted));
    const dl = el("dl", "fields");
    card.lines.forEach(([label, value]) => { dl.appendChild(el("dt", "", label)); dl.appendChild(el("dd", "", value)); });
    a.appendChild(dl);
    (card.groups || []).forEach((g) => a.appendChild(buildGroup(g)));
    if (card.changes && card.changes.length) {
      const box = el("div", "changes");
      box.appendChild(el("p", "label", "Perubahan sejak versi sebelumnya:"));
      const ul = el("ul");
      card.changes.forEach((c) => ul.appendChild(el("li", "", c)));
      box.appendChild(ul);
      a.appendChild(box);
    }
    if (card.attachments.length) {
      const atts = el("div", "atts");
      atts.appendChild(el("p", "label", "Lampiran (" + card.attachments.length + " berkas):"));
      card.attachments.forEach((att) => {
        const name = att.label + (att.change ? " (" + att.change + ")" : "");
        const fig = el("figure", "att-file" + (att.change ? " att-" + att.change.replace(/ /g, "-") : ""));
        const l = link(att.url, "", "att", { target: "_blank", rel: "noopener" });
        if (att.media_type.startsWith("image/")) {
          const img = el("img");
          img.src = att.url; img.alt = name; img.loading = "lazy";
          l.appendChild(img);
        } else {
          l.textContent = name + " (PDF)";
        }
        fig.appendChild(l);
        fig.appendChild(el("figcaption", "", name));
        atts.appendChild(fig);
      });
      a.appendChild(atts);
    }
    if (card.outcome) a.appendChild(el("p", "outcome", "Status: " + card.outcome));
    const err = el("p", "error");
    err.setAttribute("role", "alert");
    err.hidden = true;
    if (card.actions.length) {
      const bar = el("div", "actions");
      card.actions.forEach((act) => {
        const b = el("button", "act-" + act.action, act.label);
        b.type = "button";
        b.addEventListener("click", () => (act.needs_text ? askText(a, card, act, err) : decide(card, act, "", err)));
        bar.appendChild(b);
      });
      a.appendChild(bar);
    }
    a.appendChild(err);
    return a;
  }

  function askText(article, card, act, err) {
    const old = article.querySelector("form.reason");
    if (old) old.remove();
    const f = el("form", "reason");
    const id = "reason-" + card.request_id;
    const label = el("label", "", act.needs_text);
    label.htmlFor = id;
    const ta = el("textarea");
    ta.id = id; ta.rows = 3; ta.maxLength = 1000; ta.required = true;
    const send = el("button", "", act.label);
    send.type = "submit";
    const cancel = el("button", "secondary", "Batal");
    cancel.type = "button";
    cancel.addEventListener("click", () => f.remove());
    const row = el("div", "row");
    row.append(send, cancel);
    f.append(label, ta, row);
    f.addEventListener("submit", (e) => { e.preventDefault(); decide(card, act, ta.value, err); });
    article.insertBefore(f, err);
    ta.focus();
  }

  async function decide(card, act, text, err) {
    err.hidden = true;
    const article = shown.get(String(card.request_id));
    const buttons = article ? [...article.node.querySelectorAll("button")] : [];
    buttons.forEach((b) => { b.disabled = true; });
    const r = await postJson("/demo/api/staff/" + encodeURIComponent(slug) + "/act",
      { request_id: card.request_id, action: act.action, text: text });
    if (!r.ok) {
      buttons.forEach((b) => { b.disabled = false; });
      err.textContent = r.body.error || "Gagal memproses.";
      err.hidden = false;
      return;
    }
    if (r.body.card) putCards([r.body.card], true);
    pollChat();
    pollCards();
  }

  function putCards(cards, partial) {
    const keep = new Set();
    cards.forEach((card) => {
      const key = String(card.request_id), json = JSON.stringify(card);
      keep.add(key);
      const prev = shown.get(key);
      if (prev && prev.json === json) return;
      const node = buildCard(card);
      if (prev) prev.node.replaceWith(node);
      shown.set(key, { json: json, node: node });
    });
    if (!partial) {
      for (const [key, v] of shown) if (!keep.has(key)) { v.node.remove(); shown.delete(key); }
      cards.forEach((card) => cardsBox.appendChild(shown.get(String(card.request_id)).node));
    }
    const empty = cardsBox.querySelector(".empty");
    if (empty) empty.hidden = shown.size > 0;
  }

  async function pollCards() {
    const want = slug;
    const r = await call("/demo/api/staff/" + encodeURIComponent(want) + "/cards?after=" + cardCursor);
    if (want !== slug) return;
    if (!r.ok) {
      staffError.textContent = r.body.error || "Ruang moderasi tidak dapat dimuat.";
      staffError.hidden = false;
      return;
    }
    staffError.hidden = true;
    if (r.body.staff) staffName.textContent = r.body.staff.name;
    if (r.body.cards) putCards(r.body.cards, false);
    cardCursor = r.body.cursor || 0;
  }

  select.addEventListener("change", () => {
    slug = select.value;
    cardCursor = 0;
    shown.forEach((v) => v.node.remove());
    shown.clear();
    const url = new URL(location.href);
    url.searchParams.set("kelurahan", slug);
    history.replaceState(null, "", url);
    deskFrame.src = deskEntry();
    pollCards();
  });

  // The staff pane's two views: the moderation room (cards above) or the desk console, framed and logged in
  // as the kelurahan's demo staff member (/desk/demo/masuk, demo mode only).
  const deskFrame = $("desk-frame"), showCards = $("show-cards"), showDesk = $("show-desk");
  function deskEntry() {
    return "/desk/demo/masuk?kelurahan=" + encodeURIComponent(slug);
  }
  function view(desk) {
    $("cards-view").hidden = desk;
    $("desk-view").hidden = !desk;
    showCards.setAttribute("aria-pressed", String(!desk));
    showDesk.setAttribute("aria-pressed", String(desk));
  }
  showCards.addEventListener("click", () => view(false));
  showDesk.addEventListener("click", () => view(true));

  async function loop(fn, every) {
    for (;;) {
      await fn();
      await sleep(every);
    }
  }
  loop(pollChat, CHAT_EVERY);
  loop(pollCards, CARDS_EVERY);
})();
