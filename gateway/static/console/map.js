// The map (一图): Leaflet with the grids as the base (no tiles unless configured), the point layers
// from /api/v1/map/{layer}.geojson with toggles, popups linking to the record, and clusters.
"use strict";

(() => {
  const { config, el, api, recordLink, paintSwatches, status } = window.Eco;
  const CONFIG = config();
  const [west, south, east, north] = CONFIG.bounds;
  // maxZoom: with no tile layer the map has none of its own, and the clusters need one.
  const map = L.map("map", { zoomSnap: 0.5, minZoom: 8, maxZoom: 18, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  // The towns' seats, with a margin, fill the view (the city's land extent is mostly fields and
  // sea); panning stays within the land extent and a little more.
  const seats = L.latLngBounds(CONFIG.towns.map((town) => [town.lat, town.lon]));
  map.fitBounds(seats.pad(0.12));
  map.setMaxBounds(L.latLngBounds([[south, west], [north, east]]).pad(0.5));
  if (CONFIG.tiles.url) {
    L.tileLayer(CONFIG.tiles.url, { attribution: CONFIG.tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  paintSwatches();

  // Town names: always there, so the map reads even before (or without) the grids; in a pane of
  // their own above the grid polygons and below the markers.
  map.createPane("towns").style.zIndex = "450";
  map.createPane("points").style.zIndex = "500";  // the layers' markers, above the towns' dots
  const towns = L.layerGroup(CONFIG.towns.map((town) =>
    L.circleMarker([town.lat, town.lon], { radius: 3, color: "#57534e", weight: 1, fillColor: "#fff", fillOpacity: 1,
                                            interactive: false, pane: "towns" })
      .bindTooltip(town.name, { permanent: true, direction: "right", className: "town-label", offset: [4, 0] })));
  towns.addTo(map);
  // Nineteen names crowd a city drawn small (a phone): below this zoom only the dots are shown.
  const LABELS_FROM_ZOOM = 10;
  const labels = () => map.getContainer().classList.toggle("labels-off", map.getZoom() < LABELS_FROM_ZOOM);
  map.on("zoomend", labels);
  labels();

  const LEVEL_STYLE = {
    1: { color: "#44403c", weight: 2.5, fill: true, fillColor: "#fbfaf5", fillOpacity: 0.6 },
    2: { color: "#78716c", weight: 1.5, fill: true, fillColor: "#f5f3ea", fillOpacity: 0.35 },
    3: { color: "#a8a29e", weight: 0.8, dashArray: "3 3", fill: false },
  };
  const grids = L.geoJSON(null, {
    style: (feature) => LEVEL_STYLE[feature.properties.level] || LEVEL_STYLE[3],
    onEachFeature: (feature, layer) => {
      // The city's outline is the background: a click on it opens nothing (read before it is drawn).
      if (feature.properties.level === 1) { layer.options.interactive = false; return; }
      layer.bindPopup(() => popup("grids", feature.properties));
    },
  });
  grids.addTo(map);

  function row(label, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) return [];
    return [el("dt", {}, label), el("dd", {}, Array.isArray(value) ? value.join(", ") : value)];
  }

  // Popups are DOM nodes built from text: a name holding markup shows as the characters it is.
  function popup(layer, p) {
    const body = el("div", { class: "popup" });
    if (layer === "grids") {
      body.append(el("h3", {}, p.name || p.grid_id),
                  el("dl", {}, ...row("网格 grid", p.grid_id), ...row("镇街 town", p.town), ...row("级别 level", p.level)),
                  el("a", { href: `/console/search?grid=${encodeURIComponent(p.grid_id)}&q=${encodeURIComponent(p.town || p.name)}` },
                     "网格内记录 Records in this grid"));
      return body;
    }
    const credit = CONFIG.credit[(p.credit_level || "unrated").toLowerCase()];
    body.append(
      el("h3", {}, p.title || p.name || p.id),
      el("dl", {},
        ...row("编号 id", p.id),
        ...row("状态 status", p.status),
        ...row("镇街 town", p.town),
        ...(layer === "enterprises" ? row("信用 credit", credit ? credit.label : p.credit_level) : []),
        ...row("行业 industry", p.industry_code),
        ...row("许可证 permit", p.permit_number),
        ...row("因子 parameter", p.parameter),
        ...row("开始 opened", p.opened_at),
        ...row("受理期限 accept by", p.accept_due_at),
        ...row("办理期限 handle by", p.handle_due_at),
        ...row("企业 enterprise", layer !== "enterprises" ? p.uscc : undefined)),
      el("a", { href: recordLink(p), class: "record-link" }, p.kind === "enterprise" || p.uscc ? "一企一档 Open the record" : "查看 Open"));
    return body;
  }

  function colour(layer, p) {
    if (layer.name === "enterprises") {
      const credit = CONFIG.credit[(p.credit_level || "unrated").toLowerCase()];
      return credit ? credit.colour : layer.colour;
    }
    if (layer.name === "stations") return CONFIG.station_colours[p.status] || layer.colour;
    return layer.colour;
  }

  function clusterOf(layer) {
    // Clusters of a layer take its colour, so two layers' clusters are told apart.
    return L.markerClusterGroup({
      disableClusteringAtZoom: 14,
      maxClusterRadius: 45,
      showCoverageOnHover: false,
      iconCreateFunction: (cluster) => {
        const icon = L.divIcon({ html: "", className: `marker-cluster marker-cluster-${layer.name}`, iconSize: L.point(34, 34) });
        // Built as nodes (the count as text), coloured by CSSOM: nothing here is parsed as markup.
        icon.createIcon = function () {
          // The ring and the disc of markercluster's own look, in the layer's colour.
          const inner = el("div", {}, el("span", {}, String(cluster.getChildCount())));
          const div = el("div", { title: layer.label }, inner);
          div.style.background = `${layer.colour}66`;
          inner.style.background = layer.colour;
          this._setIconStyles(div, "icon");
          return div;
        };
        return icon;
      },
    });
  }

  const layers = {};
  for (const layer of CONFIG.layers) {
    layers[layer.name] = { def: layer, group: clusterOf(layer), loaded: false };
  }
  layers.grids = { def: { name: "grids" }, group: grids, loaded: false };

  function count(name, text) {
    const node = document.getElementById(`count-${name}`);
    if (node) node.textContent = text;
  }

  async function loadGrids() {
    try {
      const collection = await api("/api/v1/map/grids.geojson");
      grids.addData(collection);
      count("grids", String(collection.features.length));
      layers.grids.loaded = true;
    } catch (error) {
      count("grids", "—");
      throw new Error(`grids: ${error.message}`);
    }
  }

  async function load(name) {
    const entry = layers[name];
    const layer = entry.def;
    const collection = await api(`/api/v1/map/${encodeURIComponent(name)}.geojson`);
    const markers = [];
    for (const feature of collection.features) {
      if (!feature.geometry || feature.geometry.type !== "Point") continue;
      const [lon, lat] = feature.geometry.coordinates;
      const p = feature.properties || {};
      const marker = L.circleMarker([lat, lon], {
        radius: name === "enterprises" ? 7 : 6,
        color: "#fff",
        weight: 1.5,
        fillColor: colour(layer, p),
        fillOpacity: 0.95,
        className: `marker marker-${name}`,
        pane: "points",
      });
      marker.bindPopup(() => popup(name, p));
      marker.feature = feature;
      markers.push(marker);
    }
    entry.group.clearLayers();
    entry.group.addLayers(markers);
    entry.loaded = true;
    count(name, collection.note ? "0 *" : String(markers.length) + (collection.truncated ? "+" : ""));
    if (collection.note) document.getElementById(`count-${name}`).title = collection.note;
  }

  async function show(name, on) {
    const entry = layers[name];
    if (!on) { map.removeLayer(entry.group); return; }
    entry.group.addTo(map);
    if (!entry.loaded && name !== "grids") {
      count(name, "…");
      try { await load(name); status(`已加载 Loaded ${entry.def.label}`); }
      catch (error) { count(name, "—"); status(`未能加载 Could not load ${name}: ${error.message}`, true); }
    }
  }

  for (const box of document.querySelectorAll("input[data-layer]")) {
    box.addEventListener("change", () => show(box.dataset.layer, box.checked));
  }

  const first = CONFIG.layers.filter((layer) => layer.on).map((layer) => layer.name);
  for (const layer of CONFIG.layers) if (!layer.on) count(layer.name, "");
  const work = [loadGrids(), ...first.map((name) => { layers[name].group.addTo(map); return load(name); })];
  Promise.allSettled(work).then((results) => {
    const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
    first.forEach((name, i) => { if (results[i + 1].status === "rejected") count(name, "—"); });
    if (failed.length) status(`未能加载 Could not load: ${failed.join("; ")}`, true);
    else status(`已加载 Loaded ${new Date().toLocaleTimeString("zh-CN")}`);
    document.body.dataset.ready = "1";  // for the browser test: the first layers are drawn
  });
})();
