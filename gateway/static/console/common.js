// The console's shared helpers. Every value from a record goes on the page as text (textContent),
// never as markup: names, addresses and notes come from enterprises and the public.
"use strict";

window.Eco = (() => {
  /** The page's data block (server-rendered JSON, escaped by tojson). */
  function config() {
    const node = document.getElementById("console-config");
    return node ? JSON.parse(node.textContent || "{}") : {};
  }

  /** A new element with attributes and children (strings become text nodes). */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** GET an API route with the session cookie; the JSON, or an Error carrying status and message. */
  async function api(path) {
    const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) {
      const error = new Error((body && body.message) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  /** Text with <em> marks (Elasticsearch's html encoder: the rest is escaped) as safe nodes. */
  function marked(snippet) {
    const fragment = document.createDocumentFragment();
    const parts = String(snippet).split(/(<em>|<\/em>)/);
    let inside = false;
    for (const part of parts) {
      if (part === "<em>") { inside = true; continue; }
      if (part === "</em>") { inside = false; continue; }
      if (!part) continue;
      const text = unescape(part);
      fragment.append(inside ? el("mark", {}, text) : document.createTextNode(text));
    }
    return fragment;
  }

  const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": "\"", "&#39;": "'" };
  function unescape(text) {
    return text.replace(/&(lt|gt|amp|quot|#39);|&#x([0-9a-fA-F]+);|&#([0-9]+);/g, (whole, _named, hex, dec) => {
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
      if (dec) return String.fromCodePoint(parseInt(dec, 10));
      return ENTITIES[whole];
    });
  }

  /** Colour the legend swatches from their data-colour (CSSOM: allowed by the page's CSP). */
  function paintSwatches(root = document) {
    for (const swatch of root.querySelectorAll(".swatch[data-colour]")) swatch.style.background = swatch.dataset.colour;
  }

  /** Where a record opens in the console: the enterprise record, else a search for its id. */
  function recordLink(props) {
    const uscc = props.kind === "enterprise" ? props.id : props.uscc;
    if (uscc) return `/console/enterprises/${encodeURIComponent(uscc)}`;
    return `/console/search?q=${encodeURIComponent(props.id || "")}`;
  }

  function status(message, error = false) {
    const node = document.getElementById("status");
    if (!node) return;
    node.textContent = message;
    node.classList.toggle("error", error);
  }

  return { config, el, api, marked, paintSwatches, recordLink, status };
})();
