// Keyboard reading, as in other feed readers: j/k move, o opens, m marks read, / searches.
// The pages work without this file; it only adds keys.
(function () {
  "use strict";
  var items = [];
  var index = -1;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function select(next) {
    if (!items.length) return;
    if (index >= 0) items[index].classList.remove("current");
    index = Math.max(0, Math.min(items.length - 1, next));
    var item = items[index];
    item.classList.add("current");
    item.setAttribute("aria-current", "true");
    item.scrollIntoView({ block: "nearest" });
  }

  function current() {
    return index >= 0 ? items[index] : null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    items = Array.prototype.slice.call(document.querySelectorAll("[data-item]"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var item = current();
    if (event.key === "j") {
      select(index + 1);
    } else if (event.key === "k") {
      select(index - 1);
    } else if (event.key === "o") {
      var link = item && item.querySelector("[data-open]");
      if (link) window.location.href = link.href;
    } else if (event.key === "m") {
      var form = (item && item.querySelector("form[data-mark]")) || document.querySelector(".page-head form[data-mark]");
      if (form) form.submit();
    } else if (event.key === "/") {
      var box = document.getElementById("search-box");
      if (box) box.focus();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
