/*
 * The Nærhedscirkel's web map (Leaflet, no tiles needed).
 *
 * Every element with `data-circle-map` becomes a map of the GeoJSON at its `data-geojson` URL,
 * as the platform serves it (nearby/selectors.py): the base map drawn from the OSM data itself
 * (features with properties.layer green, water, buildings, waterways, rail, paths, streets), the
 * cycling and walking areas (bike_area, walk_area), the places (place) and the institution
 * (start). An online tile layer is added only when `data-tile-url` is set.
 *
 * With `data-add-form="<form id>"` a click on the map fills that form's latitude and longitude
 * fields (marked `data-own-lat`, `data-own-lon`) and shows where the new place will be.
 *
 * Texts come from `data-label-*` attributes (translated by the page); colours of categories from
 * the stylesheet (--cat-<code>). No inline styles or HTML strings: the page's CSP stays strict.
 */
(function () {
  "use strict";

  if (typeof window.L === "undefined") {
    return; // Leaflet did not load; the lists on the page hold the same places.
  }

  var BASE_STYLES = {
    green: { stroke: true, color: "#bdd8a6", weight: 1, fillColor: "#d3e6c1", fillOpacity: 1 },
    water: { stroke: true, color: "#94c0e0", weight: 1, fillColor: "#b0d3ec", fillOpacity: 1 },
    buildings: { stroke: true, color: "#d1ccc3", weight: 0.5, fillColor: "#e0dcd5", fillOpacity: 1 },
    waterways: { color: "#94c0e0", weight: 2, opacity: 1 },
    rail: { color: "#8e8a84", weight: 1.5, opacity: 1, dashArray: "6 4" },
    paths: { color: "#9d927f", weight: 1, opacity: 0.9, dashArray: "3 3" },
    streets: { color: "#ffffff", weight: 4, opacity: 1 },
  };
  var STREET_CASING = { color: "#c2baae" };
  var BASE_ORDER = ["green", "water", "buildings", "waterways", "rail", "paths", "streets"];

  function cssColour(name, fallback) {
    var value = window
      .getComputedStyle(document.documentElement)
      .getPropertyValue(name)
      .trim();
    return value || fallback;
  }

  function categoryColour(code) {
    return cssColour("--cat-" + code, "#6f6a62");
  }

  function text(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    node.textContent = content;
    return node;
  }

  function label(element, name, fallback) {
    return element.getAttribute("data-label-" + name) || fallback;
  }

  // Only same-origin paths become links.
  function safePath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
  }

  function minutesLine(element, props) {
    var parts = [];
    var unit = label(element, "minutes", "min");
    if (props.walk) {
      parts.push(props.walk + " " + unit + " " + label(element, "walk", "on foot"));
    }
    if (props.bike) {
      parts.push(props.bike + " " + unit + " " + label(element, "bike", "by bike"));
    }
    return parts.join(" · ");
  }

  function placePopup(element, props) {
    var box = document.createElement("div");
    box.className = "circle-popup";
    box.appendChild(text("strong", "circle-popup__name", props.name || ""));
    var meta = [props.category_label];
    if (props.institution) {
      meta.push(props.institution);
    }
    box.appendChild(text("div", "circle-popup__meta", meta.filter(Boolean).join(" · ")));
    var minutes = minutesLine(element, props);
    if (minutes) {
      box.appendChild(text("div", "circle-popup__meta", minutes));
    }
    if (props.description) {
      box.appendChild(text("div", "circle-popup__description", "“" + props.description + "”"));
    }
    if (typeof props.included === "boolean" && props.edit_url) {
      box.appendChild(
        text(
          "div",
          "circle-popup__meta",
          props.included ? label(element, "on-circle", "On the circle") : label(element, "not-on-circle", "Not on the circle")
        )
      );
    }
    var url = safePath(props.edit_url);
    if (url) {
      var link = text("a", "", label(element, "edit", "Edit"));
      link.href = url;
      box.appendChild(link);
    }
    return box;
  }

  function startPopup(element, props) {
    var box = document.createElement("div");
    box.className = "circle-popup";
    box.appendChild(text("strong", "circle-popup__name", props.name || ""));
    if (props.address) {
      box.appendChild(text("div", "circle-popup__meta", props.address));
    }
    var url = safePath(props.url);
    if (url) {
      var link = text("a", "", label(element, "open", "Open"));
      link.href = url;
      box.appendChild(link);
    }
    return box;
  }

  function numberIcon(props) {
    var node = text("span", "circle-number cat-badge--" + (props.category || "own"), String(props.number));
    return L.divIcon({ className: "circle-number-icon", html: node, iconSize: [24, 24], iconAnchor: [12, 12] });
  }

  function drawBasemap(map, features, renderer) {
    var byLayer = {};
    features.forEach(function (feature) {
      var layer = feature.properties && feature.properties.layer;
      if (BASE_STYLES[layer]) {
        (byLayer[layer] = byLayer[layer] || []).push(feature);
      }
    });
    BASE_ORDER.forEach(function (layer) {
      if (!byLayer[layer]) {
        return;
      }
      if (layer === "streets") {
        // Main roads (rank 0) wider than side streets (rank 2), each over its casing.
        var width = function (feature, extra) {
          var rank = feature.properties && feature.properties.rank;
          return (rank === 0 ? 6 : rank === 1 ? 4.5 : 3.5) + extra;
        };
        L.geoJSON(byLayer[layer], {
          style: function (feature) {
            return { color: STREET_CASING.color, opacity: 1, weight: width(feature, 2) };
          },
          interactive: false,
          renderer: renderer,
        }).addTo(map);
        L.geoJSON(byLayer[layer], {
          style: function (feature) {
            return { color: BASE_STYLES.streets.color, opacity: 1, weight: width(feature, 0) };
          },
          interactive: false,
          renderer: renderer,
        }).addTo(map);
        return;
      }
      L.geoJSON(byLayer[layer], { style: BASE_STYLES[layer], interactive: false, renderer: renderer }).addTo(map);
    });
  }

  function drawAreas(element, map, features) {
    var bounds = L.latLngBounds([]);
    ["bike_area", "walk_area"].forEach(function (kind) {
      features.forEach(function (feature) {
        if (!feature.properties || feature.properties.layer !== kind) {
          return;
        }
        var walk = kind === "walk_area";
        var colour = walk ? cssColour("--nearby-walk", "#e0702c") : cssColour("--nearby-bike", "#5b4fa3");
        var layer = L.geoJSON(feature, {
          style: {
            color: colour,
            weight: walk ? 2.5 : 2,
            opacity: 0.95,
            dashArray: walk ? null : "8 5",
            fillColor: colour,
            fillOpacity: walk ? 0.2 : 0.08,
          },
          interactive: false,
        }).addTo(map);
        bounds.extend(layer.getBounds());
      });
    });
    return bounds;
  }

  function drawPlaces(element, map, features, editing) {
    var bounds = L.latLngBounds([]);
    features.forEach(function (feature) {
      var props = feature.properties || {};
      if (props.layer !== "place" || !feature.geometry) {
        return;
      }
      var coords = feature.geometry.coordinates;
      var latLng = L.latLng(coords[1], coords[0]);
      bounds.extend(latLng);
      var marker;
      if (typeof props.number === "number") {
        marker = L.marker(latLng, { icon: numberIcon(props), keyboard: true, title: props.name || "" });
      } else {
        var colour = categoryColour(props.category);
        var gone = props.change === "gone";
        var candidate = editing && props.included === false;
        marker = L.circleMarker(latLng, {
          radius: candidate ? 6 : 8,
          color: gone ? "#8a847a" : candidate ? colour : "#ffffff",
          weight: 2,
          opacity: 1,
          dashArray: candidate ? "2 2" : null,
          fillColor: gone ? "#d8d3ca" : candidate ? "#ffffff" : colour,
          fillOpacity: candidate ? 0.85 : 0.95,
        });
      }
      marker
        .bindTooltip(text("span", "", props.name || ""), { direction: "top", offset: [0, -8] })
        .bindPopup(placePopup(element, props))
        .on("popupopen", function (event) {
          event.target.closeTooltip();
        })
        .addTo(map);
      if (marker.getElement && marker.getElement()) {
        marker.getElement().setAttribute("data-map-place", props.id || props.number || "");
      }
    });
    return bounds;
  }

  function drawStarts(element, map, features) {
    var bounds = L.latLngBounds([]);
    features.forEach(function (feature) {
      var props = feature.properties || {};
      if (props.layer !== "start" || !feature.geometry) {
        return;
      }
      var coords = feature.geometry.coordinates;
      var latLng = L.latLng(coords[1], coords[0]);
      bounds.extend(latLng);
      L.circleMarker(latLng, {
        radius: 7,
        color: "#ffffff",
        weight: 3,
        fillColor: cssColour("--nearby-start", "#1b2421"),
        fillOpacity: 1,
      })
        .bindTooltip(text("span", "", props.name || ""), { direction: "top", offset: [0, -8] })
        .bindPopup(startPopup(element, props))
        .addTo(map);
    });
    return bounds;
  }

  // Clicking the map fills the own-place form's coordinates and marks the spot.
  function enablePicking(element, map) {
    var form = document.getElementById(element.getAttribute("data-add-form") || "");
    if (!form) {
      return;
    }
    var latInput = form.querySelector("[data-own-lat]");
    var lonInput = form.querySelector("[data-own-lon]");
    var hint = form.querySelector("[data-own-hint]");
    var nameInput = form.querySelector("input[name$='name']");
    if (!latInput || !lonInput) {
      return;
    }
    element.classList.add("is-picking");
    var marker = null;
    function show(latLng, focus) {
      if (marker) {
        marker.setLatLng(latLng);
      } else {
        marker = L.marker(latLng, { keyboard: false, title: label(element, "new-place", "") }).addTo(map);
        marker.getElement().setAttribute("data-new-place", "");
      }
      marker.bindTooltip(text("span", "", label(element, "new-place", "")), { permanent: true, direction: "top", offset: [-14, -14] }).openTooltip();
      if (hint) {
        hint.classList.add("is-set");
        hint.textContent = latLng.lat.toFixed(5) + ", " + latLng.lng.toFixed(5);
      }
      if (focus && nameInput) {
        nameInput.focus({ preventScroll: true });
      }
    }
    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lonInput.value = event.latlng.lng.toFixed(6);
      show(event.latlng, true);
    });
    var lat = parseFloat(latInput.value);
    var lon = parseFloat(lonInput.value);
    if (isFinite(lat) && isFinite(lon)) {
      show(L.latLng(lat, lon), false);
    }
  }

  function failed(element) {
    element.replaceChildren(text("p", "map-fallback map-fallback--error", label(element, "failed", "")));
  }

  function initMap(element) {
    if (element.getAttribute("data-map-ready")) {
      return;
    }
    element.setAttribute("data-map-ready", "loading");
    var url = safePath(element.getAttribute("data-geojson"));
    if (!url) {
      failed(element);
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        draw(element, data);
        element.setAttribute("data-map-ready", "true");
      })
      .catch(function (error) {
        element.setAttribute("data-map-ready", "failed");
        element.setAttribute("data-map-error", String(error && error.message ? error.message : error));
        failed(element);
      });
  }

  function draw(element, data) {
    var features = Array.isArray(data.features) ? data.features : [];
    var editing = Boolean(element.getAttribute("data-add-form"));
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25, preferCanvas: false });
    map.attributionControl.setPrefix(false);
    map.once("focus click", function () {
      map.scrollWheelZoom.enable();
    });
    // A view before any layer: the canvas renderer needs the map's pixel bounds.
    if (Array.isArray(data.bbox) && data.bbox.length === 4) {
      map.fitBounds([[data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]]);
    } else {
      map.setView([55.7, 12.57], 13);
    }
    var tileUrl = (element.getAttribute("data-tile-url") || "").trim();
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: element.getAttribute("data-tile-attribution") || "",
      }).addTo(map);
    } else {
      // No tiles: the base map drawn from the OSM data lies on the container's land colour.
      map.setMaxZoom(20);
      map.attributionControl.addAttribution(label(element, "credit", "© OpenStreetMap").replace(/[<>&"]/g, ""));
    }
    // The base map has thousands of lines: one canvas for all of it.
    drawBasemap(map, features, L.canvas({ padding: 0.3 }));
    var bounds = drawAreas(element, map, features);
    bounds.extend(drawPlaces(element, map, features, editing));
    bounds.extend(drawStarts(element, map, features));
    if (Array.isArray(data.bbox) && data.bbox.length === 4) {
      bounds.extend(L.latLngBounds([data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]));
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    } else {
      map.setView([55.7, 12.57], 13);
    }
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    if (editing) {
      enablePicking(element, map);
    }
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-circle-map]"), initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
