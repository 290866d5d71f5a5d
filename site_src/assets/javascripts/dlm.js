// DLM's small bits of behaviour: the site-wide "hide the maths" switch and figure enlarging.
// No library, nothing loaded from elsewhere. Pages stay fully readable without JavaScript.
(function () {
  "use strict";

  var STORAGE_KEY = "dlm.hide-maths";
  var root = document.documentElement;

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) === "1";
    } catch (error) {
      return false; // storage disabled: the switch still works on this page
    }
  }

  function remember(hidden) {
    try {
      window.localStorage.setItem(STORAGE_KEY, hidden ? "1" : "0");
    } catch (error) {
      /* nothing to do */
    }
  }

  function applyMaths(hidden, button) {
    root.classList.toggle("dlm-hide-maths", hidden);
    if (button) {
      button.setAttribute("aria-pressed", hidden ? "true" : "false");
      var label = hidden ? "Show the maths passages" : "Hide the maths passages";
      button.setAttribute("title", label);
      button.setAttribute("aria-label", label);
    }
  }

  // The switch's icon: our warning sign, crossed out while the maths is hidden.
  var SWITCH_ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true">' +
    '<path d="M12 2.8 22.6 21H1.4Z" fill="none" stroke="currentColor" stroke-width="1.8" ' +
    'stroke-linejoin="round"/>' +
    '<rect x="11" y="8.4" width="2" height="6.6" rx="1" fill="currentColor"/>' +
    '<circle cx="12" cy="17.9" r="1.2" fill="currentColor"/>' +
    '<path class="dlm-maths-switch__slash" d="M3 3 21 21" stroke="currentColor" ' +
    'stroke-width="2.2" stroke-linecap="round"/></svg>';

  function addSwitch() {
    var header = document.querySelector(".md-header__inner");
    if (!header) return null;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button md-icon dlm-maths-switch";
    button.innerHTML = SWITCH_ICON;
    var anchor = header.querySelector("form.md-header__option, .md-header__option");
    header.insertBefore(button, anchor || header.querySelector(".md-search"));
    button.addEventListener("click", function () {
      var hidden = !root.classList.contains("dlm-hide-maths");
      remember(hidden);
      document.querySelectorAll(".dlm-maths--shown").forEach(function (passage) {
        passage.classList.remove("dlm-maths--shown");
      });
      applyMaths(hidden, button);
    });
    return button;
  }

  function setUpMaths() {
    var button = addSwitch();
    applyMaths(remembered(), button);
    document.addEventListener("click", function (event) {
      var show = event.target.closest(".dlm-maths__show");
      if (show) revealPassage(show.closest(".dlm-maths"));
      // A reference to an equation inside a hidden or folded passage opens that passage.
      var reference = event.target.closest("a.dlm-eqref");
      if (reference) revealTarget(reference.getAttribute("href"));
    });
    if (window.location.hash) revealTarget(window.location.hash);
  }

  function revealPassage(passage) {
    if (!passage) return;
    passage.classList.add("dlm-maths--shown");
    var fold = passage.querySelector(".dlm-maths__fold");
    if (fold) fold.open = true;
  }

  function revealTarget(hash) {
    var target = null;
    try {
      target = document.querySelector(hash);
    } catch (error) {
      return; // not a selector: nothing to reveal
    }
    if (target) revealPassage(target.closest(".dlm-maths"));
  }

  function setUpLightbox() {
    var dialog = document.createElement("dialog");
    dialog.className = "dlm-lightbox";
    dialog.setAttribute("aria-label", "Enlarged figure");
    document.body.appendChild(dialog);
    dialog.addEventListener("click", function () {
      dialog.close();
    });
    document.addEventListener("click", function (event) {
      var target = event.target.closest(".md-typeset figure img, .md-typeset figure > svg");
      if (!target || dialog.contains(target)) return;
      dialog.innerHTML = "";
      dialog.appendChild(target.cloneNode(true));
      var note = document.createElement("p");
      note.textContent = "Click anywhere or press Escape to close.";
      dialog.appendChild(note);
      dialog.showModal();
    });
  }

  function start() {
    setUpMaths();
    setUpLightbox();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
