/* The query interface: YASGUI on this endpoint, the competency questions as named examples,
   and links from result tables to the pages of the project's resources on this server. */
(function () {
  "use strict";
  var ui = JSON.parse(document.getElementById("ui-config").textContent);
  var container = document.getElementById("yasgui");

  // A link may carry a query to show (#query=...), never the endpoint it runs on: a crafted link
  // (#endpoint=http://elsewhere/sparql) would otherwise run it elsewhere and stick in localStorage.
  function onThisServer(config) {
    config.requestConfig = Object.assign({}, config.requestConfig, { endpoint: ui.endpoint });
    return config;
  }

  var yasgui = new Yasgui(container, {
    requestConfig: { endpoint: ui.endpoint, method: "POST" },
    populateFromUrl: onThisServer,
    copyEndpointOnNewTab: false,  // a new tab asks this server, whatever an older tab asked
    persistenceId: "paradiplomacy-kg",
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: ui.endpoint }]; } },
    yasqe: { value: ui.examples.length ? ui.examples[0].query : "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10" },
    yasr: { prefixes: ui.prefixes }
  });

  // Tabs kept from earlier visits (or by an older version of this page) ask this server too.
  Object.keys(yasgui._tabs).forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== ui.endpoint) { tab.setEndpoint(ui.endpoint); }
  });

  // The page on this server for an IRI of the project, or null.
  function pageFor(iri) {
    for (var ns in ui.pages) {
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) {
        return ui.pages[ns] + iri.slice(ns.length).split("/").map(encodeURIComponent).join("/");
      }
    }
    return null;
  }

  function relink() {
    container.querySelectorAll("a.iri").forEach(function (a) {
      var page = pageFor(a.getAttribute("href") || "");
      if (page) {
        a.setAttribute("href", page);
        a.removeAttribute("target");
      }
    });
  }
  // What YASGUI's markup lacks for assistive technologies (axe-core finds it): names for its fields, keyboard
  // access to the editor's scroll area (CodeMirror takes it out of the tab order), and a tab list whose
  // "add a tab" button is a member of the list (a tab list may hold only tabs).
  function accessible() {
    container.querySelectorAll(".tabsList button.addTab:not([role])").forEach(function (add) {
      add.setAttribute("role", "tab");
      add.setAttribute("aria-selected", "false");
    });
    [[".tabsList input[type=text]", "Name of the tab"], ["input.autocomplete", "SPARQL endpoint"],
     [".CodeMirror textarea", "SPARQL query"]].forEach(function (pair) {
      container.querySelectorAll(pair[0] + ":not([aria-label])").forEach(function (el) { el.setAttribute("aria-label", pair[1]); });
    });
    container.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach(function (el) { el.setAttribute("tabindex", "0"); });
  }
  new MutationObserver(function () { relink(); accessible(); }).observe(container, { childList: true, subtree: true });
  accessible();

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = ui.examples[Number(button.getAttribute("data-example"))];
      var tab = yasgui.addTab(true, { name: example.title, yasqe: { value: example.query } },
                              { avoidDuplicateTabs: true });
      tab.setQuery(example.query);
      tab.query();
    });
  });
  window.paradiplomacyYasgui = yasgui;
})();
