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

  function number(value) {
    return typeof value === "number" ? value.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) : String(value ?? "—");
  }

  function kpiCard(kpi) {
    const name = kpi.name || kpi.title || kpi.kpi_id || kpi.code || "KPI";
    const value = kpi.value ?? kpi.actual;
    const target = kpi.target ?? kpi.target_value;
    const unit = kpi.unit || "";
    const lowerIsBetter = kpi.direction === "lower" || kpi.lower_is_better === true;
    let met = kpi.met;
    if (met === undefined && typeof value === "number" && typeof target === "number") {
      met = lowerIsBetter ? value <= target : value >= target;
    }
    const card = el("section", { class: "card kpi" },
      el("h3", {}, name),
      el("div", { class: `value ${met === undefined ? "" : met ? "met" : "missed"}` }, number(value), unit ? ` ${unit}` : ""),
      el("p", {}, "目标 target: ", number(target), unit ? ` ${unit}` : "",
         met === undefined ? "" : met ? " · 达标 met" : " · 未达标 not met"));
    if (typeof value === "number" && typeof target === "number" && target > 0) {
      const bar = el("div", { class: "bar" }, el("span"));
      bar.firstChild.style.width = `${Math.min(100, Math.round((value / target) * 100))}%`;
      card.append(bar);
    }
    return card;
  }

  async function kpis() {
    try {
      const answer = await api(CONFIG.kpis);
      const list = answer.kpis || answer.items || [];
      if (!list.length) unavailable("考核指标 KPIs", "no KPI has a value yet");
      for (const kpi of list) cards.append(kpiCard(kpi));
      if (answer.warnings && answer.warnings.length) status(`部分 Partial: ${answer.warnings.join("; ")}`, true);
    } catch (error) {
      unavailable("考核指标 KPIs", error.status === 404 ? "the evaluation route is not served by this gateway yet" : error.message);
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
