// The enterprise record (一企一档): every section the record route answers, drawn generically (a
// section added by another service shows without a change here), with its warnings when partial.
"use strict";

(() => {
  const { config, el, api, status } = window.Eco;
  const CONFIG = config();
  const root = document.getElementById("record");
  const LABELS = {
    enterprise: "登记信息 Registry", outlets: "排放口 Outlets", permits: "排污许可证 Discharge permits",
    eia_approvals: "环评批复 EIA approvals", radiation_permits: "辐射安全许可证 Radiation permits",
    rights_holdings: "排污权 Discharge rights", eia_applications: "环评 EIA applications", credit: "环境信用 Credit",
    risk: "环境风险 Risk", cases: "案件 Cases", problems: "问题 Problems", monitoring: "在线监测 Monitoring",
    hazards: "隐患 Hazards", inspections: "检查 Inspections",
  };

  function scalar(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "boolean") return value ? "是 yes" : "否 no";
    if (Array.isArray(value)) return value.length ? value.map(scalar).join(", ") : "—";
    if (typeof value === "object") {
      if ("lat" in value && "lon" in value) return `${value.lat}, ${value.lon}`;
      return Object.entries(value).filter(([, v]) => v !== null && v !== "" && typeof v !== "object")
        .map(([k, v]) => `${k}: ${v}`).join("; ");
    }
    return String(value);
  }

  function isPlain(value) {
    return value && typeof value === "object" && !Array.isArray(value) && !("lat" in value && "lon" in value);
  }

  // A message's fields as one list; a nested message (the registry's `fields`, a contact) is
  // listed in place, its keys prefixed, so nothing is hidden one level down.
  function fields(object, list = el("dl"), prefix = "") {
    for (const [key, value] of Object.entries(object)) {
      if (Array.isArray(value) && value.length && typeof value[0] === "object") continue;
      if (isPlain(value)) fields(value, list, key === "fields" ? prefix : `${prefix}${key}.`);
      else list.append(el("dt", {}, `${prefix}${key}`), el("dd", {}, scalar(value)));
    }
    return list;
  }

  function table(rows) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
      .filter((key) => rows.some((row) => row[key] !== null && row[key] !== "" && !(Array.isArray(row[key]) && !row[key].length)));
    return el("table", {},
      el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", {}, c)))),
      el("tbody", {}, ...rows.map((row) => el("tr", {}, ...columns.map((c) => el("td", {}, scalar(row[c])))))));
  }

  function section(key, value) {
    const box = el("section", { class: "record-section", "data-section": key }, el("h3", {}, LABELS[key] || key));
    if (Array.isArray(value)) {
      if (!value.length) box.append(el("p", {}, "无 none"));
      else if (typeof value[0] === "object") box.append(table(value));
      else box.append(el("p", {}, scalar(value)));
    } else if (value && typeof value === "object") {
      box.append(fields(value));
      for (const [inner, rows] of Object.entries(value)) {
        if (Array.isArray(rows) && rows.length && typeof rows[0] === "object") box.append(el("h4", {}, inner), table(rows));
      }
    } else {
      box.append(el("p", {}, scalar(value)));
    }
    return box;
  }

  async function load() {
    try {
      const record = await api(`/api/v1/enterprises/${encodeURIComponent(CONFIG.uscc)}`);
      const registry = record.enterprise || record;
      const name = (registry.fields && registry.fields.name) || registry.name;
      if (name) document.getElementById("name").textContent = `一企一档 · ${name}`;
      const warnings = record.warnings || [];
      if (warnings.length) {
        document.getElementById("warnings").append(el("p", { class: "warning", role: "alert" },
          "部分内容暂缺 Partial record: ", warnings.map(scalar).join("; ")));
      }
      for (const [key, value] of Object.entries(record)) {
        if (key === "warnings") continue;
        root.append(section(key, value));
      }
      status(`已加载 Loaded ${new Date().toLocaleTimeString("zh-CN")}`);
    } catch (error) {
      status(`未能加载 Could not load the record: ${error.message}`, true);
    }
    document.body.dataset.ready = "1";
  }
  load();
})();
