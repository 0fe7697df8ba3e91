// Draws the graph embedded in the page (graph.html: a json_script with the
// graph API's shape, each node with its community's colour) with Cytoscape,
// vendored in static/vendor/. No build step. Without JavaScript the page
// shows the same entities as a list.
(function () {
  "use strict";

  function plural(count, one, many) {
    return `${count.toLocaleString()} ${count === 1 ? one : many}`;
  }

  function elements(data) {
    const top = Math.max(1, ...data.nodes.map(function (n) { return n.degree; }));
    const ranked = data.nodes.slice().sort(function (a, b) { return b.degree - a.degree; });
    // Only the best-connected few carry a label at first; the rest show theirs
    // when zoomed in or hovered, so labels do not pile up on each other.
    const shown = data.nodes.length <= 30 ? data.nodes.length : Math.max(12, Math.round(data.nodes.length / 5));
    const named = new Set(ranked.slice(0, shown).map(function (n) { return n.id; }));
    const nodes = data.nodes.map(function (n) {
      const size = Math.round(16 + 34 * Math.sqrt(n.degree / top));
      return {
        data: {
          id: String(n.id), label: n.name, type: n.type, degree: n.degree, colour: n.colour, size: size,
          center: n.depth === 0, community: n.community || "",
        },
        classes: named.has(n.id) || n.depth === 0 ? "named" : "",
      };
    });
    const edges = data.edges.map(function (e) {
      return {
        data: {
          id: `e${e.id}`, source: String(e.source), target: String(e.target), label: e.name, fact: e.fact,
          weight: e.weight || 1,
        },
      };
    });
    return nodes.concat(edges);
  }

  // Label sizes in screen pixels: a zoomed-out drawing keeps its labels
  // readable instead of shrinking them to specks; zoomed in, they grow.
  function onScreen(cy, pixels) {
    return function () { return pixels / Math.min(1, cy.zoom()); };
  }

  function style(cy, maxWeight, fitZoom) {
    // The lesser nodes' labels appear once zoomed in well past the fit, when there is room for them.
    const roomy = function () { return cy.zoom() >= Math.min(1.2, fitZoom() * 1.8); };
    return [
      { selector: "node", style: {
        "background-color": "data(colour)", width: "data(size)", height: "data(size)",
        label: "data(label)", "font-size": onScreen(cy, 11), color: "#1d2330", "text-valign": "bottom",
        "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": "120px",
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 2,
        "text-background-shape": "roundrectangle",
        "text-opacity": function () { return roomy() ? 1 : 0; } } },
      { selector: "node.named", style: { "font-size": onScreen(cy, 12), "font-weight": 600, "text-opacity": 1, "z-index": 2 } },
      { selector: "node[?center]", style: { "border-width": 3, "border-color": "#1d2330" } },
      { selector: "edge", style: {
        width: maxWeight > 1 ? `mapData(weight, 1, ${maxWeight}, 1, 6)` : 1.5,
        "line-color": "#c3c9d4", "target-arrow-color": "#c3c9d4", "target-arrow-shape": "triangle",
        "arrow-scale": 0.8, "curve-style": "bezier", opacity: 0.8 } },
      { selector: "edge.labelled", style: {
        label: "data(label)", "font-size": onScreen(cy, 11), color: "#1d2330", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 1, "line-color": "#5b6475",
        "target-arrow-color": "#5b6475", opacity: 1, "z-index": 3 } },
      { selector: "node.focused", style: { "text-opacity": 1, "z-index": 4 } },
      { selector: ".faded", style: { opacity: 0.12, "text-opacity": 0 } },
    ];
  }

  function render(container, data, parts) {
    const maxWeight = Math.max(1, ...data.edges.map(function (e) { return e.weight || 1; }));
    let fitZoom = 1;
    const cy = window.cytoscape({ container: container, elements: elements(data), minZoom: 0.1, maxZoom: 3, wheelSensitivity: 0.3 });
    cy.style(style(cy, maxWeight, function () { return fitZoom; }));
    // A force layout that counts each node's label in its size, so that
    // nodes (and the labels shown) keep apart.
    const layout = cy.layout(data.nodes.length > 1
      ? {
        name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true,
        nodeRepulsion: function () { return 12000; }, idealEdgeLength: function () { return 70; },
        nodeOverlap: 30, gravity: 0.8, numIter: 2500, padding: 30,
      }
      : { name: "grid" });
    layout.one("layoutstop", function () {
      fitZoom = cy.zoom();
      cy.style().update();
    });
    layout.run();
    let pending = null;
    cy.on("zoom", function () {
      if (pending) return;
      pending = setTimeout(function () { pending = null; cy.style().update(); }, 80);
    });
    cy.on("tap", "node", function (event) { window.location.assign(parts.entityUrl(event.target.id())); });
    cy.on("mouseover", "node", function (event) {
      const node = event.target;
      cy.elements().not(node.closedNeighborhood()).addClass("faded");
      node.closedNeighborhood().nodes().addClass("focused");
      node.connectedEdges().addClass("labelled");
      const community = node.data("community") ? `, ${node.data("community")}` : "";
      parts.hover.textContent = `${node.data("label")} (${node.data("type")}${community}): ${plural(node.data("degree"), "relationship", "relationships")}`;
    });
    cy.on("mouseout", "node", function () {
      cy.elements().removeClass("faded labelled focused");
      parts.hover.textContent = "";
    });
    cy.on("mouseover", "edge", function (event) {
      const edge = event.target;
      edge.addClass("labelled");
      const support = plural(edge.data("weight"), "memory", "memories");
      parts.hover.textContent = `${edge.data("fact") || `${edge.source().data("label")} ${edge.data("label")} ${edge.target().data("label")}`} (${support})`;
    });
    cy.on("mouseout", "edge", function (event) { event.target.removeClass("labelled"); parts.hover.textContent = ""; });
    return cy;
  }

  function draw(container) {
    const source = document.getElementById(container.dataset.graph);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    container.hidden = false;
    document.querySelectorAll("[data-graph-needs-script]").forEach(function (note) { note.hidden = true; });
    const list = document.querySelector("[data-graph-list]");
    if (list) list.open = false; // the drawing is the page now; the list stays one click away
    render(container, data, {
      hover: document.querySelector("[data-graph-hover]"),
      entityUrl: function (id) { return `${container.dataset.entityUrl}${id}/`; },
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.cytoscape) return;
    document.querySelectorAll("[data-graph]").forEach(draw);
  });
})();

// A select that applies itself (no inline handlers: the Content-Security-Policy allows none).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
