"use strict";
// The chat page: sends questions (with the visible conversation as history and the chosen
// filters) to /api/ask and renders answers with their cited passages. The page's URL can carry
// a question and filters (?q=…&where=section=sport&since=…&until=…&mode=…): it asks on load.
// Text from articles is only ever put in the page as text nodes (append/textContent), never
// parsed as HTML, so an article cannot inject markup or script.
(() => {
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const mode = document.getElementById("mode");
  const button = document.getElementById("ask-button");
  const conversation = document.getElementById("conversation");
  const announcer = document.getElementById("announcer");
  const clear = document.getElementById("clear");
  const filterBar = document.getElementById("filters");
  const filterFields = document.getElementById("filter-fields");
  const filterDates = document.getElementById("filter-dates");
  const since = document.getElementById("since");
  const until = document.getElementById("until");
  const TIMEOUT_MS = 60000;
  const MAX_HISTORY = Number(form.dataset.history); // turns the API accepts as history
  const FACET_VALUES = 50; // a field with more values than this gets no menu
  let turns = 0;
  let busy = false;
  let earlier = []; // the visible conversation: {question, answer} oldest first

  /** An element with a class and children; strings become text nodes. */
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  function link(href, text, className) {
    const a = el("a", className, text);
    a.href = href;
    return a;
  }

  /** The article view URL, the passage (and answer sentence, and the short answer, a span of
   * the passage) marked; ids may hold slashes. */
  function articleHref(citation, highlight, bold) {
    const path = citation.article_id.split("/").map(encodeURIComponent).join("/");
    const params = new URLSearchParams({ start: citation.start, end: citation.end });
    for (const [span, start, end] of [[highlight, "hs", "he"], [bold, "ss", "se"]]) {
      if (span) {
        params.set(start, citation.start + span[0]);
        params.set(end, citation.start + span[1]);
      }
    }
    return `/articles/${path}?${params}#cited`;
  }

  /** The code points [a, b) of `chars` as nodes, the part within `bold` (a [start, end) of
   * the same text, or null) in <strong>: the short answer where it stands. */
  function emphasised(chars, a, b, bold) {
    const s = bold ? Math.min(Math.max(bold[0], a), b) : b;
    const e = bold ? Math.min(Math.max(bold[1], s), b) : b;
    const nodes = [chars.slice(a, s).join("")];
    if (e > s) nodes.push(el("strong", "short-span", chars.slice(s, e).join("")));
    nodes.push(chars.slice(e, b).join(""));
    return nodes;
  }

  /** Passage text with the answer sentence in <mark> and the short answer (`bold`, a span of
   * the passage or null) in <strong>; spans count code points, like Python. */
  function passageText(text, highlight, bold) {
    const p = el("p", "passage-text");
    const chars = Array.from(text);
    if (!highlight) {
      p.append(...emphasised(chars, 0, chars.length, bold));
      return p;
    }
    const [a, b] = highlight;
    p.append(
      ...emphasised(chars, 0, a, bold),
      el("mark", null, ...emphasised(chars, a, b, bold)),
      ...emphasised(chars, b, chars.length, bold),
    );
    return p;
  }

  /** Where the short answer stands in a passage (a span of its text), or null when the short
   * answer comes from another passage or there is none. */
  function shortIn(passage, short) {
    if (!short || short.passage !== passage.rank) return null;
    return [short.start - passage.citation.start, short.end - passage.citation.start];
  }

  function sourceCard(passage, turnId, cited, short) {
    const c = passage.citation;
    const bold = shortIn(passage, short);
    const card = el("li", cited ? "source cited" : "source");
    card.id = `${turnId}-p${passage.rank}`;
    card.tabIndex = -1;
    const meta = [c.source];
    if (c.published) meta.push(c.published);
    if (c.page) meta.push(`page ${c.page}`);
    meta.push(`paragraph ${c.paragraph}`, `score ${passage.score.toFixed(2)}`);
    if (passage.copies) {
      const noun = passage.copies === 1 ? "copy" : "copies";
      meta.push(`${passage.copies} near-identical ${noun} in other articles`);
    }
    card.append(
      el("div", "source-head",
        el("span", "source-number", String(passage.rank)),
        el("h3", "source-title", c.title)),
      el("p", "source-meta", meta.join(" · ")),
      passageText(passage.text, passage.highlight, bold),
      el("p", "answer-tools",
        link(articleHref(c, passage.highlight, bold), "Read it in the article", "source-link"),
        copyButton(passage)),
    );
    return card;
  }

  /** The citation as a reader pastes it: title, source, date, paragraph (page) and the link. */
  function citationText(passage) {
    const c = passage.citation;
    const where = [c.source, c.published, c.page ? `page ${c.page}` : null,
      `paragraph ${c.paragraph}`].filter(Boolean).join(", ");
    const href = new URL(articleHref(c, passage.highlight), location.href).href;
    return `“${c.title}”, ${where}. ${href}`;
  }

  function copyButton(passage) {
    const button = el("button", "copy-citation", "Copy citation");
    button.type = "button";
    button.addEventListener("click", async () => {
      const text = citationText(passage);
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
        announcer.textContent = "Citation copied.";
      } catch {
        window.prompt("Copy the citation:", text); // no clipboard access (plain http): show it
      }
    });
    return button;
  }

  // --- filters and shareable links ---------------------------------------------------------

  /** The chosen filters as the API takes them ({} when none). */
  function chosenFilters() {
    const filters = {};
    for (const select of filterFields.querySelectorAll("select")) {
      if (select.value) filters[select.dataset.field] = select.value;
    }
    const range = {};
    if (since.value) range.from = since.value;
    if (until.value) range.to = until.value;
    if (range.from || range.to) filters.published = range;
    return filters;
  }

  /** The filters in words, for the line under each answer. */
  function describeFilters(filters) {
    const parts = [];
    for (const [field, value] of Object.entries(filters)) {
      if (field !== "published") parts.push(`${field} = ${value}`);
    }
    const range = filters.published;
    if (range) parts.push(`published ${range.from || "…"} – ${range.to || "…"}`);
    return parts.join(" · ");
  }

  /** The page's own URL that asks `question` with these filters and mode. */
  function shareHref(question, filters, searchMode) {
    const params = new URLSearchParams({ q: question });
    if (searchMode !== "hybrid") params.set("mode", searchMode);
    for (const [field, value] of Object.entries(filters)) {
      if (field !== "published") params.append("where", `${field}=${value}`);
    }
    if (filters.published && filters.published.from) params.set("since", filters.published.from);
    if (filters.published && filters.published.to) params.set("until", filters.published.to);
    return `${location.pathname}?${params}`;
  }

  function option(value, text) {
    const node = el("option", null, text);
    node.value = value;
    return node;
  }

  /** One labelled menu per field with few enough values; dates bounded by the archive's. */
  function renderFacets(facets) {
    let shown = 0;
    for (const [field, facet] of Object.entries(facets.fields || {})) {
      if (!facet.values.length || facet.values.length > FACET_VALUES) continue;
      const id = `filter-${shown}`;
      const label = el("label", null, field);
      label.htmlFor = id;
      const select = el("select", null, option("", "any"));
      select.id = id;
      select.dataset.field = field;
      for (const { value, count } of facet.values) {
        select.append(option(String(value), `${value} (${count})`));
      }
      filterFields.append(label, select);
      shown += 1;
    }
    const range = facets.published || {};
    if (range.from && range.to) {
      for (const input of [since, until]) {
        input.min = range.from.slice(0, 10);
        input.max = range.to.slice(0, 10);
      }
      filterDates.hidden = false;
      shown += 1;
    }
    filterBar.hidden = shown === 0;
  }

  /** Set the filter controls from a shared link's parameters (values the menus offer only). */
  function applyParams(params) {
    for (const condition of params.getAll("where")) {
      const at = condition.indexOf("=");
      const select = [...filterFields.querySelectorAll("select")]
        .find((s) => s.dataset.field === condition.slice(0, at));
      if (select && [...select.options].some((o) => o.value === condition.slice(at + 1))) {
        select.value = condition.slice(at + 1);
      }
    }
    for (const [input, name] of [[since, "since"], [until, "until"]]) {
      const value = params.get(name);
      if (value && /^\d{4}-\d{2}-\d{2}$/.test(value)) input.value = value;
    }
    const wanted = params.get("mode");
    if ([...mode.options].some((o) => o.value === wanted)) mode.value = wanted;
  }

  async function loadFacets() {
    try {
      const response = await fetch("/api/facets", { headers: { Accept: "application/json" } });
      if (response.ok) renderFacets(await response.json());
    } catch {
      // no index yet, or the server is away: the page works without filters
    }
  }

  /** The answer sentence as nodes, its short answer (when it stands in it) in <strong>. */
  function sentenceText(data) {
    const chars = Array.from(data.answer.text);
    const cited = data.passages.find((p) => p.rank === data.answer.passage);
    const inPassage = cited && cited.highlight ? shortIn(cited, data.answer.short) : null;
    const bold = inPassage && [inPassage[0] - cited.highlight[0], inPassage[1] - cited.highlight[0]];
    return emphasised(chars, 0, chars.length, bold);
  }

  function renderAnswer(reply, data, turnId, announce) {
    if (data.answer) {
      const marker = link(`#${turnId}-p${data.answer.passage}`, `[${data.answer.passage}]`, "cite");
      marker.setAttribute("aria-label", `source ${data.answer.passage}`);
      const short = data.answer.short;
      if (short) {
        const from = link(`#${turnId}-p${short.passage}`, `[${short.passage}]`, "cite");
        from.setAttribute("aria-label", `source ${short.passage}`);
        reply.append(el("p", "short-answer", el("strong", null, short.text), " ", from));
      }
      reply.append(el("p", "answer", ...sentenceText(data), " ", marker));
    } else {
      const unknown = data.unknown_words.length
        ? ` No article mentions ${data.unknown_words.map((w) => `“${w}”`).join(", ")}.`
        : "";
      const rest = data.passages.length
        ? " These are the closest passages:"
        : " No passage comes close.";
      const why = data.notice || "The articles do not answer this question.";
      reply.append(el("p", "no-answer", `${why}${unknown}${rest}`));
    }
    if (data.searched && data.searched !== data.question) {
      reply.append(el("p", "searched", `Searched: “${data.searched}”`));
    }
    const filters = data.filters || {};
    if (Object.keys(filters).length) {
      reply.append(el("p", "filtered", `Only articles with ${describeFilters(filters)}`));
    }
    const count = data.passages.length;
    reply.append(el("p", "reply-meta",
      `${count} passage${count === 1 ? "" : "s"} · ${data.mode} search · ${Math.round(data.took_ms)} ms · `,
      link(shareHref(data.searched || data.question, filters, data.mode), "Link to this answer",
        "share-link")));
    const sources = el("ol", "sources");
    sources.setAttribute("aria-label", "Sources");
    for (const passage of data.passages) {
      const cited = data.answer !== null && passage.rank === data.answer.passage;
      sources.append(sourceCard(passage, turnId, cited, data.answer && data.answer.short));
    }
    reply.append(sources);
    if (!announce) return;
    const said = data.answer && data.answer.short ? `${data.answer.short.text}. ` : "";
    announcer.textContent = data.answer
      ? `Answer: ${said}${data.answer.text} From source ${data.answer.passage}.`
      : `${data.notice || "The articles do not answer this question."} ${count} passages are listed.`;
  }

  function renderError(reply, message) {
    const box = el("p", "error", message);
    box.setAttribute("role", "alert");
    reply.append(box);
  }

  /** POST the question; resolves to the answer JSON, rejects with a readable Error. */
  async function ask(question, filters) {
    const body = { question, k: 5, mode: mode.value, history: earlier.slice(-MAX_HISTORY) };
    if (Object.keys(filters).length) body.filters = filters;
    let response;
    try {
      response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      if (error.name === "TimeoutError") {
        throw new Error("The server took too long to answer. Try again in a moment.");
      }
      throw new Error("The server cannot be reached. Is `qa serve` still running?");
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.status === 401) {
      // The session cookie is gone or the server's token changed: the page itself needs a login.
      throw new Error("Your login is no longer valid. Reload the page to log in again.");
    }
    if (!response.ok) {
      const message = data && data.error && data.error.message;
      throw new Error(message
        ? `${message.charAt(0).toUpperCase()}${message.slice(1)}.`
        : `The server answered ${response.status} ${response.statusText}.`);
    }
    return data;
  }

  /** A new turn (the question and an empty reply) at the end of the conversation. */
  function addTurn(question) {
    turns += 1;
    const turnId = `q${turns}`;
    const heading = el("h2", "question", question);
    heading.id = `${turnId}-question`;
    const reply = el("div", "reply");
    const turn = el("section", "turn", heading, reply);
    turn.setAttribute("aria-labelledby", heading.id);
    const intro = document.getElementById("intro");
    if (intro) intro.remove();
    conversation.append(turn);
    clear.hidden = false;
    return { turn, reply, turnId };
  }

  // Answers are kept for the tab's session, so going back from an article finds them again.
  const STORE_KEY = "article-qa.conversation";
  const STORE_TURNS = 30;

  function saved() {
    try {
      const turns = JSON.parse(sessionStorage.getItem(STORE_KEY) || "[]");
      return Array.isArray(turns) ? turns : [];
    } catch {
      return [];
    }
  }

  function save(question, data) {
    try {
      const kept = [...saved(), { question, data }].slice(-STORE_TURNS);
      sessionStorage.setItem(STORE_KEY, JSON.stringify(kept));
    } catch {
      // storage full or disabled: the conversation just is not kept
    }
  }

  function restore() {
    for (const { question, data } of saved()) {
      const { reply, turnId } = addTurn(question);
      renderAnswer(reply, data, turnId, false);
      remember(question, data);
    }
  }

  /** Keep a turn as history for the next question: the question and the answer given. */
  function remember(question, data) {
    earlier = [...earlier, { question, answer: data.answer ? data.answer.text : null }]
      .slice(-MAX_HISTORY);
  }

  async function submit(question) {
    busy = true;
    button.disabled = true;
    const { turn, reply, turnId } = addTurn(question);
    const loading = el("p", "loading", "Searching the articles…");
    reply.append(loading);
    reply.setAttribute("aria-busy", "true");
    turn.scrollIntoView({ block: "start" });
    announcer.textContent = "Searching…";
    try {
      const filters = chosenFilters();
      const data = { ...(await ask(question, filters)), filters };
      loading.remove();
      renderAnswer(reply, data, turnId, true);
      save(question, data);
      remember(question, data);
      const notice = document.getElementById("notice");
      if (notice) notice.remove();
    } catch (error) {
      loading.remove();
      renderError(reply, error.message);
      announcer.textContent = error.message;
      if (!input.value) input.value = question;
    } finally {
      reply.setAttribute("aria-busy", "false");
      turn.scrollIntoView({ block: "start" });
      busy = false;
      button.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    submit(question);
  });

  restore();

  clear.addEventListener("click", () => {
    sessionStorage.removeItem(STORE_KEY);
    location.assign(location.pathname); // a new conversation, without a shared link's question
  });

  // Filters first (a shared link may name them), then the shared link's question, if any.
  loadFacets().then(() => {
    const params = new URLSearchParams(location.search);
    applyParams(params);
    const shared = (params.get("q") || "").trim().slice(0, Number(input.maxLength) || 2000);
    if (shared && !busy) {
      window.history.replaceState(null, "", location.pathname); // a reload does not ask again
      submit(shared);
    }
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
