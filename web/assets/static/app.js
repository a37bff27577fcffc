// shadowscan serve page. No framework, no inline code (the CSP forbids it); every string from the server goes into
// the page through textContent, never as HTML.
"use strict";

(function () {
  const TOKEN_KEY = "shadowscan-token";
  const $ = (id) => document.getElementById(id);

  // --- helpers -------------------------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch (_) { return ""; }
  }

  async function api(path) {
    const headers = { "Accept": "application/json" };
    const t = token();
    if (t) headers["Authorization"] = "Bearer " + t;
    const resp = await fetch(path, { headers, credentials: "same-origin", cache: "no-store" });
    let body = null;
    try { body = await resp.json(); } catch (_) { body = null; }
    if (!resp.ok) {
      const msg = body && body.error ? body.error : "HTTP " + resp.status;
      const err = new Error(msg);
      err.status = resp.status;
      throw err;
    }
    return body;
  }

  function money(m) {
    if (!m) return "";
    return Object.keys(m).sort().map((c) => m[c].toFixed(2) + " " + c).join(", ");
  }

  function day(s) {
    return s ? String(s).slice(0, 10) : "";
  }

  function shortScope(s) {
    for (const p of ["https://www.googleapis.com/auth/", "https://graph.microsoft.com/"]) {
      if (s.toLowerCase().startsWith(p) && s.length > p.length) return s.slice(p.length);
    }
    return s;
  }

  // lowerFirst: "Session replay" → "session replay"; "CRM" stays.
  function lowerFirst(s) {
    if (!s) return "";
    if (s.length > 1 && s[1] !== s[1].toLowerCase()) return s;
    return s[0].toLowerCase() + s.slice(1);
  }

  const LABELS = {
    approved: "Approved", tolerated: "Tolerated", review: "Under review", banned: "Banned",
    expired: "Approval expired", unapproved: "Not approved", unknown: "Unknown vendor",
    no_config: "No approval verdict",
  };
  const label = (v) => LABELS[v] || v;

  function badge(verdict, id) {
    return el("span", { class: "badge badge-" + verdict, id: id || null }, label(verdict));
  }

  function announce(msg) {
    const s = $("status");
    s.textContent = "";
    // A fresh text node makes screen readers announce the same message twice in a row.
    window.setTimeout(() => { s.textContent = msg; }, 30);
  }

  // --- suggestions (combobox) ----------------------------------------------------------------------------------

  const input = $("q");
  const list = $("suggestions");
  let items = [];
  let active = -1;
  let searchSeq = 0;
  let debounce = 0;

  function closeList() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    items = [];
    active = -1;
  }

  function setActive(i) {
    const opts = list.querySelectorAll("[role=option]");
    opts.forEach((o, j) => o.setAttribute("aria-selected", j === i ? "true" : "false"));
    active = i;
    if (i >= 0 && opts[i]) {
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function showSuggestions(results) {
    list.replaceChildren();
    items = results;
    active = -1;
    if (!results.length) {
      closeList();
      return;
    }
    results.forEach((s, i) => {
      const li = el("li", { id: "suggestion-" + i, role: "option", "aria-selected": "false", class: "option" },
        el("span", { class: "option-name" }, s.name),
        el("span", { class: "option-meta" }, s.category_name || ""),
        badge(s.verdict));
      li.addEventListener("mousedown", (ev) => ev.preventDefault()); // keep focus in the input
      li.addEventListener("click", () => choose(i));
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    announce(results.length + (results.length === 1 ? " suggestion" : " suggestions") + " available.");
  }

  async function suggest() {
    const q = input.value.trim();
    const seq = ++searchSeq;
    if (q.length < 2 || /^[a-z]+:\/\//i.test(q)) {
      closeList();
      return;
    }
    try {
      const body = await api("/api/catalog/search?limit=8&q=" + encodeURIComponent(q));
      if (seq !== searchSeq) return; // a newer keystroke won
      showSuggestions(body.results || []);
    } catch (_) {
      if (seq === searchSeq) closeList();
    }
  }

  function choose(i) {
    const s = items[i];
    if (!s) return;
    input.value = s.name;
    closeList();
    runCheck(s.name);
  }

  input.addEventListener("input", () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(suggest, 120);
  });

  input.addEventListener("keydown", (ev) => {
    const open = !list.hidden && items.length > 0;
    switch (ev.key) {
      case "ArrowDown":
        if (!open) { suggest(); return; }
        ev.preventDefault();
        setActive(active < items.length - 1 ? active + 1 : 0);
        break;
      case "ArrowUp":
        if (!open) return;
        ev.preventDefault();
        setActive(active > 0 ? active - 1 : items.length - 1);
        break;
      case "Enter":
        if (open && active >= 0) {
          ev.preventDefault();
          choose(active);
        }
        break;
      case "Escape":
        if (open) {
          ev.preventDefault();
          closeList();
        }
        break;
    }
  });

  input.addEventListener("blur", () => window.setTimeout(closeList, 150));

  // --- the check ---------------------------------------------------------------------------------------------

  const result = $("result");
  let checkSeq = 0;

  $("check-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    closeList();
    runCheck(input.value);
  });

  async function runCheck(q) {
    q = (q || "").trim();
    if (!q) {
      input.focus();
      announce("Type a tool name first.");
      return;
    }
    const seq = ++checkSeq;
    result.setAttribute("aria-busy", "true");
    try {
      const r = await api("/api/check?q=" + encodeURIComponent(q));
      if (seq !== checkSeq) return;
      result.replaceChildren(renderResult(r));
      // The live region announces the verdict and the next step; the card itself is not live (too long to read).
      announce(label(r.verdict) + ": " + (r.vendor ? r.vendor.name : (r.app_name || q)) + ". " + r.next_step);
      const url = new URL(window.location.href);
      url.searchParams.set("q", q);
      history.replaceState(null, "", url.pathname + url.search);
    } catch (err) {
      if (seq !== checkSeq) return;
      result.replaceChildren(el("p", { class: "error", role: "alert" }, "Could not check: " + err.message));
      if (err.status === 401) forgetToken("The token was refused; showing vendor-level information only.");
    } finally {
      if (seq === checkSeq) result.setAttribute("aria-busy", "false");
    }
  }

  function section(title, ...content) {
    return el("section", { class: "card-section" }, el("h3", {}, title), ...content);
  }

  function renderResult(r) {
    const name = r.vendor ? r.vendor.name : (r.app_name || r.query);
    const card = el("article", { class: "card verdict-" + r.verdict, id: "verdict-card", "aria-labelledby": "verdict-title" });
    card.append(
      el("div", { class: "card-head" },
        el("h2", { id: "verdict-title", class: "card-title" }, name),
        badge(r.verdict, "verdict")),
      el("p", { class: "next-step", id: "next-step" }, r.next_step));
    if (r.no_config) {
      card.append(el("p", { class: "notice", id: "no-config" },
        "This server found no shadowscan config, so it cannot say whether the tool is approved or banned."));
    }

    const facts = el("dl", { class: "facts" });
    const fact = (k, v) => { if (v) facts.append(el("dt", {}, k), el("dd", {}, v)); };
    if (r.vendor) {
      let cat = r.vendor.category_name || "";
      if (r.vendor.subcategory_names && r.vendor.subcategory_names.length) cat += " › " + r.vendor.subcategory_names.join(", ");
      fact("Category", cat);
      fact("Domains", (r.vendor.domains || []).join(", "));
      fact("Typically touches", (r.vendor.data_access || []).join(", "));
    } else if (r.app_name) {
      fact("Seen in our scan as", r.app_name + " (not in the catalogue)");
    }
    fact("Client ID", r.client_id);
    fact("Redirects to", r.redirect_host);
    if (r.admin_consent) fact("Consent", "tenant-wide admin consent");
    fact("Matched", r.reason);
    if (r.approval) {
      const bits = [];
      if (r.approval.owner) bits.push("owner " + r.approval.owner);
      if (r.approval.ticket) bits.push("ticket " + r.approval.ticket);
      if (r.approval.expires) bits.push("expires " + day(r.approval.expires));
      if (r.approval.notes) bits.push(r.approval.notes);
      fact("Approval", bits.join("; "));
    }
    card.append(facts);

    if (r.suggestions && r.suggestions.length) {
      const ul = el("ul", { class: "suggest-list" });
      for (const s of r.suggestions) {
        const b = el("button", { type: "button", class: "link" }, s.name);
        b.addEventListener("click", () => { input.value = s.name; runCheck(s.name); });
        ul.append(el("li", {}, b, " ", badge(s.verdict), " ", el("span", { class: "muted" }, s.category_name || "")));
      }
      card.append(section("Did you mean", ul));
    }

    if (r.alternatives && r.alternatives.length) {
      const ul = el("ul", { id: "alternatives", class: "alternatives" });
      for (const a of r.alternatives) {
        ul.append(el("li", {},
          el("strong", {}, a.vendor.name), " ", badge(a.status), " for ", lowerFirst(a.subcategory),
          a.owner ? el("span", { class: "muted" }, " · owner " + a.owner) : null));
      }
      card.append(section("You already have", ul));
    }

    if (r.scopes && r.scopes.length) {
      const tbody = el("tbody");
      for (const s of r.scopes) {
        tbody.append(el("tr", { class: s.beyond_approval ? "beyond" : null },
          el("td", {}, el("code", {}, shortScope(s.scope))),
          el("td", {}, el("span", { class: "risk risk-" + s.class }, s.class),
            s.beyond_approval ? el("span", { class: "beyond-note" }, " beyond approval") : null),
          el("td", {}, s.why || "")));
      }
      const table = el("table", { class: "scopes" },
        el("caption", { class: "visually-hidden" }, "Scopes the consent asks for, with their risk"),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Scope"), el("th", { scope: "col" }, "Risk"),
          el("th", { scope: "col" }, "Why"))),
        tbody);
      card.append(section("Access it asks for", el("div", { class: "table-wrap" }, table)));
    }

    const u = r.usage;
    let usage;
    if (!u) {
      usage = el("p", {}, "No scan report loaded, so current use is unknown.");
    } else if (!u.in_report) {
      usage = el("p", {}, "Not seen in the scan of " + day(u.scan_finished_at) + ".");
    } else {
      usage = el("dl", { class: "facts" });
      const add = (k, v) => { if (v) usage.append(el("dt", {}, k), el("dd", {}, v)); };
      add("People", String(u.user_count));
      if (u.users && u.users.length) add("Who", u.users.join(", "));
      else if (r.redacted && u.user_count > 0) add("Who", "names withheld (IT token needed)");
      add("Sources", (u.sources || []).join(", "));
      if (u.scopes && u.scopes.length) add("Scopes granted", u.scopes.map(shortScope).join(", "));
      const m = money(u.monthly_spend);
      if (m) add("Spend", m + " a month");
      if (u.first_seen) add("Seen", day(u.first_seen) + " to " + day(u.last_seen));
    }
    card.append(section("Use here", usage));

    const pre = el("pre", { id: "request-text", class: "request", tabindex: "0" }, r.request_markdown);
    const copy = el("button", { type: "button", id: "copy-request", class: "primary" }, "Copy request");
    const copied = el("span", { class: "copied", role: "status", "aria-live": "polite" });
    copy.addEventListener("click", async () => {
      const ok = await copyText(r.request_markdown, pre);
      copied.textContent = ok ? "Copied. Paste it into an IT ticket." : "Select the text below and copy it.";
    });
    const to = r.request_to;
    let how;
    if (to && to.kind === "email") {
      how = el("p", { id: "request-how" }, "Copy it, then ",
        el("a", { href: "mailto:" + encodeURIComponent(to.address) + "?subject=" + encodeURIComponent("Request: " + name) },
          "email it to " + to.address), ".");
    } else if (to && to.kind === "url" && /^https?:\/\//i.test(to.address)) {
      how = el("p", { id: "request-how" }, "Copy it, then paste it into ",
        el("a", { href: to.address, rel: "noopener noreferrer", target: "_blank" }, "IT's request form"), ".");
    } else {
      how = el("p", { id: "request-how", class: "muted" }, "Copy it and send it to IT the way you usually do.");
    }
    card.append(section("Request for IT", how,
      el("div", { class: "copy-row" }, copy, copied),
      el("details", {}, el("summary", {}, "Show the request text"), pre)));
    return card;
  }

  async function copyText(text, pre) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (_) { /* fall through */ }
    const d = pre.closest("details");
    if (d) d.open = true;
    const range = document.createRange();
    range.selectNodeContents(pre);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { return document.execCommand("copy"); } catch (_) { return false; }
  }

  // --- inventory -------------------------------------------------------------------------------------------

  async function loadInventory() {
    const body = $("inventory-body");
    let s;
    try {
      s = await api("/api/report/summary");
    } catch (err) {
      body.replaceChildren(el("p", { class: "error" }, "Could not load the report: " + err.message));
      if (err.status === 401) forgetToken("The token was refused.");
      return;
    }
    body.replaceChildren(renderInventory(s));
  }

  function renderInventory(s) {
    const frag = document.createDocumentFragment();
    if (s.error) frag.append(el("p", { class: "notice" }, "The report file could not be read (" + s.error + ")" +
      (s.available ? "; showing the last good report." : ".")));
    if (!s.available) {
      frag.append(el("p", {}, "No scan report loaded. Start serve with --report LAST.json."));
      return frag;
    }
    const t = s.totals || {};
    frag.append(el("p", { class: "scan-line" },
      "Scan " + s.scan.id + " of " + day(s.scan.finished_at) + ": " + (t.vendors || 0) + " vendors, " +
      (t.martech_vendors || 0) + " martech, " + (t.unapproved_martech_vendors || 0) + " unapproved martech" +
      (money(t.unapproved_monthly_spend) ? "; " + money(t.unapproved_monthly_spend) + " a month on unapproved tools." : ".")));

    const counts = el("ul", { class: "counts", "aria-label": "Vendors by approval" });
    for (const v of ["banned", "unapproved", "expired", "review", "tolerated", "approved"]) {
      if (s.by_approval[v]) counts.append(el("li", {}, badge(v), " " + s.by_approval[v]));
    }
    frag.append(counts);

    if (s.trend && s.trend.length > 1) frag.append(renderTrend(s.trend));

    for (const g of s.categories) {
      const tbody = el("tbody");
      for (const v of g.vendors) {
        const name = el("button", { type: "button", class: "link" }, v.name);
        name.addEventListener("click", () => {
          input.value = v.name;
          runCheck(v.name);
          $("check").scrollIntoView();
          input.focus();
        });
        tbody.append(el("tr", {},
          el("th", { scope: "row" }, name),
          el("td", {}, badge(v.approval)),
          el("td", { class: "num", "data-label": "People" }, String(v.user_count)),
          el("td", { "data-label": s.redacted ? "Seen in" : "Who / seen in" },
            (v.users && v.users.length ? v.users.join(", ") : (v.sources || []).join(", "))),
          el("td", { class: "num", "data-label": "Spend a month" }, money(v.monthly_spend))));
      }
      frag.append(el("div", { class: "table-wrap" }, el("table", { class: "inventory" },
        el("caption", {}, g.category),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col" }, "Vendor"), el("th", { scope: "col" }, "Approval"),
          el("th", { scope: "col", class: "num" }, "People"),
          el("th", { scope: "col" }, s.redacted ? "Seen in" : "Who / seen in"),
          el("th", { scope: "col", class: "num" }, "Spend a month"))),
        tbody)));
    }

    if (s.unidentified && s.unidentified.length) {
      const ul = el("ul", { class: "unidentified" });
      for (const u of s.unidentified) {
        ul.append(el("li", {}, el("strong", {}, u.name || u.value), " ",
          el("span", { class: "muted" }, u.hint_type + " " + u.value + " · " + u.user_count + " people" +
            (u.users && u.users.length ? " (" + u.users.join(", ") + ")" : "") +
            (u.scopes && u.scopes.length ? " · " + u.scopes.map(shortScope).join(", ") : ""))));
      }
      frag.append(el("h3", {}, "Apps nobody could identify"), ul);
    }
    return frag;
  }

  // renderTrend draws unapproved martech vendors per scan as bars (SVG attributes, no inline style) with a table
  // for screen readers.
  function renderTrend(points) {
    const NS = "http://www.w3.org/2000/svg";
    const w = 320, h = 80, gap = 4;
    const max = Math.max(1, ...points.map((p) => p.unapproved_martech_vendors));
    const bw = Math.max(2, Math.floor((w - gap * (points.length - 1)) / points.length));
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + (h + 2));
    svg.setAttribute("class", "trend-chart");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    points.forEach((p, i) => {
      const bh = Math.max(1, Math.round((p.unapproved_martech_vendors / max) * h));
      const r = document.createElementNS(NS, "rect");
      r.setAttribute("x", String(i * (bw + gap)));
      r.setAttribute("y", String(h - bh + 1));
      r.setAttribute("width", String(bw));
      r.setAttribute("height", String(bh));
      r.setAttribute("class", "bar");
      svg.append(r);
    });
    const tbody = el("tbody");
    for (const p of points) {
      tbody.append(el("tr", {}, el("th", { scope: "row" }, day(p.finished_at)),
        el("td", { class: "num" }, String(p.unapproved_martech_vendors)),
        el("td", { class: "num" }, money(p.unapproved_monthly_spend))));
    }
    const first = points[0], last = points[points.length - 1];
    const diff = last.unapproved_martech_vendors - first.unapproved_martech_vendors;
    const words = diff === 0 ? "unchanged" : (diff > 0 ? "up " + diff : "down " + (-diff));
    return el("div", { class: "trend" },
      el("h3", {}, "Trend"),
      el("p", {}, "Unapproved martech vendors, " + words + " since " + day(first.finished_at) + "."),
      svg,
      el("details", {}, el("summary", {}, "Trend as a table"),
        el("div", { class: "table-wrap" }, el("table", {},
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Scan"),
            el("th", { scope: "col", class: "num" }, "Unapproved martech"),
            el("th", { scope: "col", class: "num" }, "Unapproved spend a month"))),
          tbody))));
  }

  // --- token ---------------------------------------------------------------------------------------------

  function forgetToken(msg) {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (_) { /* ignore */ }
    const st = $("token-status");
    if (st && msg) st.textContent = msg;
  }

  const tokenForm = $("token-form");
  if (tokenForm) {
    tokenForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const v = $("token").value.trim();
      $("token").value = "";
      try { sessionStorage.setItem(TOKEN_KEY, v); } catch (_) { /* ignore */ }
      $("token-status").textContent = v ? "Token set for this tab." : "Token cleared.";
      loadInventory();
      if (input.value.trim()) runCheck(input.value);
    });
    $("token-clear").addEventListener("click", () => {
      forgetToken("Token forgotten.");
      loadInventory();
      if (input.value.trim()) runCheck(input.value);
    });
    if (token()) $("token-status").textContent = "A token is set for this tab.";
  }

  // --- start -------------------------------------------------------------------------------------------------

  loadInventory();
  const initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    runCheck(initial);
  }
})();
