// Search-as-you-type for "Ask to join an agency" on /membership/. Without this script the
// search form works as a plain GET; with it, typing asks the JSON endpoint named by the
// form's data-search-url and redraws the radio buttons of the join form.
(function () {
  "use strict";

  var form = document.getElementById("agency-search-form");
  var input = document.getElementById("agency-search");
  var results = document.getElementById("agency-results");
  var status = document.getElementById("agency-results-status");
  if (!form || !input || !results || !status) {
    return;
  }
  var url = form.getAttribute("data-search-url");
  var fieldName = "join-agency";
  var existing = results.querySelector("input[type=radio]");
  if (existing) {
    fieldName = existing.name;
  }
  var timer = null;
  var latest = 0;

  function draw(agencies, query) {
    var checked = results.querySelector("input[type=radio]:checked");
    var keep = checked ? checked.value : null;
    while (results.firstChild) {
      results.removeChild(results.firstChild);
    }
    agencies.forEach(function (agency) {
      var wrapper = document.createElement("div");
      wrapper.className = "form-check";
      var radio = document.createElement("input");
      radio.className = "form-check-input";
      radio.type = "radio";
      radio.name = fieldName;
      radio.id = "agency-choice-" + agency.id;
      radio.value = String(agency.id);
      radio.required = true;
      radio.checked = keep === radio.value || agencies.length === 1;
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = radio.id;
      label.textContent = agency.name;
      wrapper.appendChild(radio);
      wrapper.appendChild(label);
      results.appendChild(wrapper);
    });
    if (!query) {
      status.textContent = "Search for your agency first.";
    } else if (agencies.length === 0) {
      status.textContent = "No agency you can join matches \u201c" + query +
        "\u201d: check the spelling, or propose it.";
    } else {
      status.textContent = agencies.length + (agencies.length === 1 ? " agency matches" :
        " agencies match") + " \u201c" + query + "\u201d.";
    }
  }

  function search() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) {
      draw([], "");
      return;
    }
    fetch(url + "?q=" + encodeURIComponent(query), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    }).then(function (data) {
      if (ticket === latest) {
        draw(data.results || [], query);
      }
    }).catch(function () {
      // Offline or refused: the Search button still submits the plain form.
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });
})();
