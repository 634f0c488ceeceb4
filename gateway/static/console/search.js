// Search (一库) with facets: kind, town, status; the query and filters live in the address, so a
// result list can be linked to and the back button works.
"use strict";

(() => {
  const { el, api, marked, recordLink, status } = window.Eco;
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const facets = document.getElementById("facets");
  const more = document.getElementById("more");
  const FILTERS = ["kind", "town", "grid", "status", "since", "until", "bbox"];
  const KIND_LABELS = { enterprise: "企业", permit: "许可证", outlet: "排口", station: "监测站", alarm: "报警",
                        problem: "问题", hazard: "隐患", petition: "信访", emergency: "突发事件", depot: "物资库",
                        inspection: "抽查结果", draw: "双随机摇号" };

  function params() { return new URLSearchParams(location.search); }

  function facetGroup(title, field, counts, chosen) {
    const entries = Object.entries(counts).filter(([, n]) => n > 0);
    if (!entries.length) return null;
    const group = el("div", { class: "facet" }, el("h3", {}, title));
    for (const [value, n] of entries) {
      const button = el("button", { type: "button", "aria-pressed": String(chosen === value), "data-field": field, "data-value": value },
        el("span", {}, field === "kind" ? `${KIND_LABELS[value] || ""} ${value}` : value), el("span", {}, String(n)));
      button.addEventListener("click", () => {
        const next = params();
        if (chosen === value) next.delete(field); else next.set(field, value);
        go(next);
      });
      group.append(button);
    }
    return group;
  }

  function item(result) {
    return el("li", { class: "result", "data-kind": result.kind },
      el("div", {}, el("span", { class: "kind" }, KIND_LABELS[result.kind] || result.kind),
         el("a", { href: recordLink(result) }, result.title || result.id)),
      el("p", { class: "snippet" }, marked(result.snippet)),
      el("p", { class: "snippet" }, [result.id, result.town, result.status].filter(Boolean).join(" · ")));
  }

  async function run(pageToken = "") {
    const current = params();
    const q = (current.get("q") || "").trim();
    input.value = q;
    if (!q) { status("输入名称的任意部分 Type any part of a name"); return; }
    const query = new URLSearchParams({ q, size: "20" });
    for (const field of FILTERS) if (current.get(field)) query.set(field, current.get(field));
    if (pageToken) query.set("page_token", pageToken);
    status("搜索中 Searching…");
    try {
      const answer = await api(`/api/v1/search?${query}`);
      if (!pageToken) {
        results.replaceChildren();
        facets.replaceChildren(...[
          facetGroup("类型 Kind", "kind", answer.facets, current.get("kind")),
          facetGroup("镇街 Town", "town", answer.facet_counts.town || {}, current.get("town")),
          facetGroup("状态 Status", "status", answer.facet_counts.status || {}, current.get("status")),
          facetGroup("网格 Grid", "grid", answer.facet_counts.grid || {}, current.get("grid")),
        ].filter(Boolean));
      }
      results.append(...answer.results.map(item));
      more.hidden = !answer.next_page_token;
      more.dataset.token = answer.next_page_token;
      status(`共 ${answer.total} 条 ${answer.total} results`);
      document.body.dataset.ready = "1";
    } catch (error) {
      status(`搜索失败 Search failed: ${error.message}`, true);
    }
  }

  function go(next) {
    history.pushState(null, "", `?${next}`);
    run();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams({ q: input.value.trim() });
    go(next);
  });
  more.addEventListener("click", () => run(more.dataset.token));
  window.addEventListener("popstate", () => run());
  run();
})();
