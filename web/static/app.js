"use strict";
// The chat page: sends questions to /api/ask and renders answers with their cited passages.
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
  const TIMEOUT_MS = 60000;
  let turns = 0;
  let busy = false;

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

  /** The article view URL, the passage (and answer sentence) marked; ids may hold slashes. */
  function articleHref(citation, highlight) {
    const path = citation.article_id.split("/").map(encodeURIComponent).join("/");
    const params = new URLSearchParams({ start: citation.start, end: citation.end });
    if (highlight) {
      params.set("hs", citation.start + highlight[0]);
      params.set("he", citation.start + highlight[1]);
    }
    return `/articles/${path}?${params}#cited`;
  }

  /** Passage text with the answer sentence in <mark>; spans count code points, like Python. */
  function passageText(text, highlight) {
    const p = el("p", "passage-text");
    if (!highlight) {
      p.append(text);
      return p;
    }
    const chars = Array.from(text);
    const [a, b] = highlight;
    p.append(
      chars.slice(0, a).join(""),
      el("mark", null, chars.slice(a, b).join("")),
      chars.slice(b).join(""),
    );
    return p;
  }

  function sourceCard(passage, turnId, cited) {
    const c = passage.citation;
    const card = el("li", cited ? "source cited" : "source");
    card.id = `${turnId}-p${passage.rank}`;
    card.tabIndex = -1;
    const meta = [c.source];
    if (c.published) meta.push(c.published);
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
      passageText(passage.text, passage.highlight),
      link(articleHref(c, passage.highlight), "Read it in the article", "source-link"),
    );
    return card;
  }

  function renderAnswer(reply, data, turnId, announce) {
    if (data.answer) {
      const marker = link(`#${turnId}-p${data.answer.passage}`, `[${data.answer.passage}]`, "cite");
      marker.setAttribute("aria-label", `source ${data.answer.passage}`);
      reply.append(el("p", "answer", data.answer.text, " ", marker));
    } else {
      const unknown = data.unknown_words.length
        ? ` No article mentions ${data.unknown_words.map((w) => `“${w}”`).join(", ")}.`
        : "";
      const rest = data.passages.length
        ? " These are the closest passages:"
        : " No passage comes close.";
      reply.append(el("p", "no-answer", `The articles do not answer this question.${unknown}${rest}`));
    }
    const count = data.passages.length;
    reply.append(el("p", "reply-meta",
      `${count} passage${count === 1 ? "" : "s"} · ${data.mode} search · ${Math.round(data.took_ms)} ms`));
    const sources = el("ol", "sources");
    sources.setAttribute("aria-label", "Sources");
    for (const passage of data.passages) {
      const cited = data.answer !== null && passage.rank === data.answer.passage;
      sources.append(sourceCard(passage, turnId, cited));
    }
    reply.append(sources);
    if (!announce) return;
    announcer.textContent = data.answer
      ? `Answer: ${data.answer.text} From source ${data.answer.passage}.`
      : `The articles do not answer this question. ${count} passages are listed.`;
  }

  function renderError(reply, message) {
    const box = el("p", "error", message);
    box.setAttribute("role", "alert");
    reply.append(box);
  }

  /** POST the question; resolves to the answer JSON, rejects with a readable Error. */
  async function ask(question) {
    let response;
    try {
      response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ question, k: 5, mode: mode.value }),
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
    }
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
      const data = await ask(question);
      loading.remove();
      renderAnswer(reply, data, turnId, true);
      save(question, data);
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
    location.reload();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
