/*
 * Børneliv maps.
 *
 * Every element with a `data-map` attribute becomes a Leaflet map of the points in the
 * <script type="application/json"> whose id its `data-points` names (made with Django's
 * `json_script`). Each point: {name, kind, kind_label, address, lat, lon, url}.
 *
 * Optional attributes on the element:
 *   data-tile-url            a tile URL template; empty = no tiles, a plain light background
 *   data-tile-attribution    attribution shown for those tiles
 *   data-label-open          text of the link in a popup ("Open")
 *   data-label-legend        accessible name of the legend under the map
 *   data-label-offline       short note shown when there are no tiles
 *   data-label-empty         text shown instead of a map when no point has a location
 *
 * The colours of the kinds come from the stylesheet (--kind-<kind>), so the map, its legend and
 * the lists share one palette. No inline styles or HTML strings: the page's CSP stays strict.
 */
(function () {
  "use strict";

  if (typeof window.L === "undefined") {
    return; // Leaflet did not load; the lists on the page still hold the same information.
  }

  var FALLBACK_COLOUR = "#53605b";
  var KIND_ORDER = ["school", "special_school", "sfo", "daycare", "health_visiting"];

  function kindColour(kind) {
    var value = window
      .getComputedStyle(document.documentElement)
      .getPropertyValue("--kind-" + kind)
      .trim();
    return value || FALLBACK_COLOUR;
  }

  function isValidPoint(point) {
    return (
      point !== null &&
      typeof point === "object" &&
      typeof point.lat === "number" &&
      typeof point.lon === "number" &&
      isFinite(point.lat) &&
      isFinite(point.lon) &&
      Math.abs(point.lat) <= 90 &&
      Math.abs(point.lon) <= 180
    );
  }

  function readPoints(element) {
    var id = element.getAttribute("data-points");
    var source = id ? document.getElementById(id) : null;
    if (!source) {
      return [];
    }
    var data;
    try {
      data = JSON.parse(source.textContent || "[]");
    } catch (error) {
      return [];
    }
    return Array.isArray(data) ? data.filter(isValidPoint) : [];
  }

  function textElement(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    node.textContent = text;
    return node;
  }

  // Only same-origin paths or http(s) URLs become links.
  function safeUrl(url) {
    if (typeof url !== "string" || url === "") {
      return null;
    }
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") {
      return url;
    }
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function popupContent(point, openLabel) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(textElement("strong", "map-popup__name", point.name || ""));
    if (point.kind_label) {
      box.appendChild(
        textElement("div", "map-popup__kind kind kind--" + (point.kind || ""), point.kind_label)
      );
    }
    if (point.address) {
      box.appendChild(textElement("div", "map-popup__address", point.address));
    }
    var url = safeUrl(point.url);
    if (url) {
      var link = textElement("a", "map-popup__link", openLabel);
      link.href = url;
      box.appendChild(link);
    }
    return box;
  }

  // The legend goes under the map as a plain list, so it never hides a point.
  function addLegend(element, points) {
    var labels = {};
    points.forEach(function (point) {
      if (point.kind && !labels[point.kind]) {
        labels[point.kind] = point.kind_label || point.kind;
      }
    });
    var kinds = Object.keys(labels).sort(function (a, b) {
      var ia = KIND_ORDER.indexOf(a);
      var ib = KIND_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    if (points.length < 2 || kinds.length === 0) {
      return;
    }
    var list = document.createElement("ul");
    list.className = "map-legend";
    var heading = element.getAttribute("data-label-legend");
    if (heading) {
      list.setAttribute("aria-label", heading);
    }
    kinds.forEach(function (kind) {
      list.appendChild(textElement("li", "kind kind--" + kind, labels[kind]));
    });
    element.insertAdjacentElement("afterend", list);
  }

  // A faint grid that pans with the map, so a map without tiles still feels like a map.
  var PlainBackground = L.GridLayer.extend({
    createTile: function () {
      var size = this.getTileSize();
      var tile = document.createElement("canvas");
      tile.width = size.x;
      tile.height = size.y;
      var context = tile.getContext("2d");
      if (context) {
        context.strokeStyle = "rgba(29, 97, 84, 0.10)";
        context.lineWidth = 1;
        context.beginPath();
        context.moveTo(0.5, 0);
        context.lineTo(0.5, size.y);
        context.moveTo(0, 0.5);
        context.lineTo(size.x, 0.5);
        context.stroke();
      }
      return tile;
    },
  });

  function showEmpty(element) {
    var text = element.getAttribute("data-label-empty");
    if (text) {
      element.replaceChildren(textElement("p", "map-fallback", text));
    } else {
      element.hidden = true;
    }
  }

  function initMap(element) {
    if (element.getAttribute("data-map-ready") === "true") {
      return;
    }
    element.setAttribute("data-map-ready", "true");
    var points = readPoints(element);
    if (points.length === 0) {
      showEmpty(element);
      return;
    }
    var tileUrl = (element.getAttribute("data-tile-url") || "").trim();
    var openLabel = element.getAttribute("data-label-open") || "Open";

    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    // Scroll-zoom only after the user has engaged with the map, so the page still scrolls.
    map.once("focus click", function () {
      map.scrollWheelZoom.enable();
    });

    if (tileUrl) {
      L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: element.getAttribute("data-tile-attribution") || "",
      }).addTo(map);
    } else {
      new PlainBackground({ maxZoom: 22 }).addTo(map);
      var note = element.getAttribute("data-label-offline");
      if (note) {
        map.attributionControl.addAttribution(note.replace(/[<>&"]/g, ""));
      }
    }

    var bounds = L.latLngBounds([]);
    points.forEach(function (point) {
      var latLng = L.latLng(point.lat, point.lon);
      bounds.extend(latLng);
      L.circleMarker(latLng, {
        radius: 8,
        color: "#ffffff",
        weight: 2,
        opacity: 1,
        fillColor: kindColour(point.kind),
        fillOpacity: 0.95,
      })
        // A DOM node, not a string: Leaflet would parse a string as HTML.
        .bindTooltip(textElement("span", "", point.name || ""), {
          direction: "top",
          offset: [0, -8],
        })
        .bindPopup(popupContent(point, openLabel))
        .on("popupopen", function (event) {
          event.target.closeTooltip();
        })
        .addTo(map);
    });

    if (points.length === 1) {
      map.setView(bounds.getCenter(), 15);
    } else {
      map.fitBounds(bounds, { padding: [32, 32], maxZoom: 16 });
    }

    L.control.scale({ imperial: false, position: "topright" }).addTo(map);
    addLegend(element, points);
  }

  function initWithin(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-map]")) {
      initMap(scope);
    }
    Array.prototype.forEach.call(scope.querySelectorAll("[data-map]"), initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initWithin(document);
    });
  } else {
    initWithin(document);
  }
  // Content swapped in by htmx may bring new maps.
  document.addEventListener("htmx:load", function (event) {
    initWithin(event.target);
  });
})();
