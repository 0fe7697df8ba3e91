// Draws a graph from the graph API's JSON (/api/v1/projects/<id>/graph/ or an
// entity's /neighbourhood/) with Cytoscape, vendored in static/vendor/.
// No build step. Markup hooks: see templates/graph/graph.html.
(function () {
  "use strict";

  const PALETTE = ["#2f5bd3", "#1a7f37", "#b35900", "#8a3ffc", "#c2185b", "#00838f", "#6d4c41", "#5c6bc0",
    "#9e9d24", "#d84315", "#00695c", "#ad1457"];
  const NO_COMMUNITY = "#9aa3b2";

  function colour(communityId) {
    return communityId === null || communityId === undefined ? NO_COMMUNITY : PALETTE[communityId % PALETTE.length];
  }

  function plural(count, one, many) {
    return `${count.toLocaleString()} ${count === 1 ? one : many}`;
  }

  function describe(data) {
    const shown = plural(data.nodes.length, "entity", "entities");
    const edges = plural(data.edges.length, "current relationship", "current relationships");
    let text = data.center !== undefined
      ? `${shown} within ${plural(data.depth, "step", "steps")}, and ${edges} among them.`
      : `${shown} of ${data.total_nodes.toLocaleString()}, and ${edges} among them.`;
    if (data.truncated) text += ` Only the nearest and best-connected are drawn (the limit is ${data.limit}).`;
    return text;
  }

  function elements(data) {
    const top = Math.max(1, ...data.nodes.map(function (n) { return n.degree; }));
    const nodes = data.nodes.map(function (n) {
      return {
        data: {
          id: String(n.id), label: n.name, type: n.type, degree: n.degree, colour: colour(n.community_id),
          size: Math.round(18 + 30 * Math.sqrt(n.degree / top)), center: n.depth === 0,
        },
      };
    });
    const edges = data.edges.map(function (e) {
      return { data: { id: `e${e.id}`, source: String(e.source), target: String(e.target), label: e.name, fact: e.fact } };
    });
    return nodes.concat(edges);
  }

  const STYLE = [
    { selector: "node", style: {
      "background-color": "data(colour)", label: "data(label)", width: "data(size)", height: "data(size)",
      "font-size": 10, color: "#1d2330", "text-valign": "bottom", "text-margin-y": 3,
      "text-background-color": "#fff", "text-background-opacity": 0.7, "text-background-padding": 1 } },
    { selector: "node[?center]", style: { "border-width": 3, "border-color": "#1d2330" } },
    { selector: "edge", style: {
      width: 1.2, "line-color": "#c3c9d4", "target-arrow-color": "#c3c9d4", "target-arrow-shape": "triangle",
      "arrow-scale": 0.8, "curve-style": "bezier" } },
    { selector: "edge.labelled", style: {
      label: "data(label)", "font-size": 9, color: "#5b6475", "text-rotation": "autorotate",
      "text-background-color": "#fff", "text-background-opacity": 1, "line-color": "#5b6475",
      "target-arrow-color": "#5b6475" } },
    { selector: ".faded", style: { opacity: 0.15 } },
  ];

  function listEntities(list, data, entityUrl) {
    const ul = list.querySelector("ul");
    data.nodes.forEach(function (n) {
      const link = document.createElement("a");
      link.href = entityUrl(n.id);
      link.textContent = n.name;
      const item = document.createElement("li");
      item.append(link, ` (${n.type}, ${plural(n.degree, "relationship", "relationships")})`);
      ul.append(item);
    });
    list.hidden = false;
  }

  function render(container, data, parts) {
    const cy = window.cytoscape({
      container: container,
      elements: elements(data),
      style: STYLE,
      layout: data.nodes.length > 1
        ? { name: "cose", animate: false, randomize: true, nodeRepulsion: function () { return 8000; }, idealEdgeLength: function () { return 60; } }
        : { name: "grid" },
      minZoom: 0.1,
      maxZoom: 3,
    });
    cy.on("tap", "node", function (event) { window.location.assign(parts.entityUrl(event.target.id())); });
    cy.on("mouseover", "node", function (event) {
      const node = event.target;
      cy.elements().not(node.closedNeighborhood()).addClass("faded");
      node.connectedEdges().addClass("labelled");
      parts.hover.textContent = `${node.data("label")} (${node.data("type")}): ${plural(node.data("degree"), "relationship", "relationships")}`;
    });
    cy.on("mouseout", "node", function () {
      cy.elements().removeClass("faded labelled");
      parts.hover.textContent = "";
    });
    cy.on("mouseover", "edge", function (event) {
      const edge = event.target;
      edge.addClass("labelled");
      parts.hover.textContent = edge.data("fact") || `${edge.source().data("label")} ${edge.data("label")} ${edge.target().data("label")}`;
    });
    cy.on("mouseout", "edge", function (event) { event.target.removeClass("labelled"); parts.hover.textContent = ""; });
    return cy;
  }

  function load(container) {
    const status = document.querySelector("[data-graph-status]");
    const parts = {
      hover: document.querySelector("[data-graph-hover]"),
      entityUrl: function (id) { return `${container.dataset.entityUrl}${id}/`; },
    };
    fetch(container.dataset.graphUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.detail || `the server answered ${response.status}`);
          return body;
        });
      })
      .then(function (data) {
        status.textContent = describe(data);
        if (!data.nodes.length) {
          status.textContent = "Nothing to draw yet: entities appear as memories are ingested.";
          container.hidden = true;
          return;
        }
        render(container, data, parts);
        const list = document.querySelector("[data-graph-list]");
        if (list) listEntities(list, data, parts.entityUrl);
      })
      .catch(function (error) {
        status.textContent = `Could not load the graph: ${error.message}`;
        status.classList.add("error");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.cytoscape) return;
    document.querySelectorAll("[data-graph-url]").forEach(load);
  });
})();

// A select that applies itself (no inline handlers: the Content-Security-Policy allows none).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
