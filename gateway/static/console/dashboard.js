// The dashboard: KPIs against their targets from the evaluation service's route, and what is open
// now (counted from the map's layers). A source that does not answer gets a panel saying so.
"use strict";

(() => {
  const { config, el, api, status } = window.Eco;
  const CONFIG = config();
  const cards = document.getElementById("kpis");

  function unavailable(title, why) {
    cards.append(el("section", { class: "card unavailable", role: "alert" },
      el("h3", {}, title), el("p", {}, "暂不可用 Unavailable: ", why)));
  }

  // Every KPI is a rate (numerator / denominator) against a target rate, higher is better
  // (services/evaluation/data/targets.json): shown as percentages.
  function percent(value) {
    return typeof value === "number"
      ? `${(value * 100).toLocaleString("zh-CN", { maximumFractionDigits: 1 })}%`
      : "—";
  }

  // One KPI (evaluation_out.KpiOut): its title first, the value or "—" with the note saying why it
  // is undefined, the target and whether it is met, the counts it is made of.
  function kpiCard(kpi) {
    const card = el("section", { class: "card kpi", "data-kpi": kpi.name || "" },
      el("h3", {}, kpi.title || kpi.name || "KPI"));
    const defined = !kpi.undefined && typeof kpi.value === "number";
    if (!defined) {
      card.append(
        el("div", { class: "value undefined" }, "—"),
        el("p", { class: "note" }, kpi.note || "无可计数据 nothing to count yet"),
        el("p", { class: "target" }, "目标 target: ", percent(kpi.target)));
      return card;
    }
    const met = typeof kpi.target === "number" ? kpi.value >= kpi.target : undefined;
    card.append(
      el("div", { class: `value ${met === undefined ? "" : met ? "met" : "missed"}` }, percent(kpi.value)),
      el("p", { class: "target" }, "目标 target: ", percent(kpi.target),
         met === undefined ? "" : met ? " · 达标 met" : " · 未达标 not met"),
      el("p", { class: "counts" }, `${kpi.numerator} / ${kpi.denominator}`));
    if (kpi.note) card.append(el("p", { class: "note" }, kpi.note));
    if (typeof kpi.target === "number" && kpi.target > 0) {
      const bar = el("div", { class: "bar" }, el("span"));
      bar.firstChild.style.width = `${Math.min(100, Math.round((kpi.value / kpi.target) * 100))}%`;
      card.append(bar);
    }
    return card;
  }

  async function kpis() {
    try {
      const answer = await api(CONFIG.kpis);
      const list = answer.kpis || [];
      if (!list.length) unavailable("考核指标 KPIs", "no KPI has a value yet");
      for (const kpi of list) cards.append(kpiCard(kpi));
    } catch (error) {
      // 503: the evaluation service is away (the gateway's message names it); the rest still shows.
      unavailable("考核指标 KPIs", error.message);
    }
  }

  async function now() {
    const section = el("section", { class: "card" }, el("h3", {}, "现状 Open now"));
    const list = el("dl", { class: "now" });
    section.append(list);
    cards.prepend(section);
    const counts = [["alarms", "报警 open alarms"], ["stations", "监测站 stations in alarm"], ["enterprises", "企业 enterprises"]];
    for (const [layer, label] of counts) {
      try {
        const collection = await api(`/api/v1/map/${layer}.geojson`);
        let features = collection.features;
        if (layer === "stations") features = features.filter((f) => f.properties.status === "alarm");
        list.append(el("dt", {}, label), el("dd", {}, String(features.length)));
      } catch (error) {
        list.append(el("dt", {}, label), el("dd", { class: "warning" }, `— (${error.message})`));
      }
    }
  }

  Promise.allSettled([now(), kpis()]).then(() => {
    status(`已加载 Loaded ${new Date().toLocaleTimeString("zh-CN")}`);
    document.body.dataset.ready = "1";
  });
})();
