/* Type-ahead for the search boxes: as one types, the best matches (from /search?format=json) are
   listed under the box; arrow keys move, Enter opens the page of the chosen one (or searches). */
(function () {
  "use strict";
  document.querySelectorAll("input[data-typeahead]").forEach(function (input, n) {
    var list = document.createElement("ul");
    list.id = "typeahead-" + n;
    list.className = "typeahead";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var active = -1, pending = null, asked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function mark(i) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0) { input.setAttribute("aria-activedescendant", items[i].id); }
    }
    function show(results) {
      list.textContent = "";
      results.forEach(function (r, i) {
        var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        a.href = r.page;
        a.textContent = r.label;
        a.tabIndex = -1;
        kind.className = "kind";
        kind.textContent = r.types.map(function (t) { return t.label; }).join(", ")
          + (r.match !== r.label ? " · " + r.match : "");
        li.appendChild(a);
        li.appendChild(kind);
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      if (!q) { close(); return; }
      fetch(input.getAttribute("data-typeahead") + "?format=json&limit=8&q=" + encodeURIComponent(q),
            { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (answer) { if (input.value.trim() === q) { show(answer.results); } })
        .catch(close);
    }
    input.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (e.key === "ArrowDown" && items.length) { e.preventDefault(); list.hidden = false; mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0 && !list.hidden) {
        e.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  });
})();
