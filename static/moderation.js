// Optional queue shortcuts: j/k move between comments, a/r/s approve, reject or mark spam the current one.
// The page works the same without this file; the keys are ignored while typing in a field.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  if (!items.length) return;
  var current = -1;
  items.forEach(function (item) { item.setAttribute("tabindex", "-1"); });

  function focusItem(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    var inside = items.indexOf(event.target.closest ? event.target.closest(".queue-item") : null);
    if (inside !== -1) current = inside;
    var actions = { a: "approve", r: "reject", s: "spam" };
    if (event.key === "j") { focusItem(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusItem(current - 1); event.preventDefault(); }
    else if (actions[event.key] && current !== -1) {
      var button = items[current].querySelector('button[value^="' + actions[event.key] + ':"]');
      if (button) { button.click(); event.preventDefault(); }
    }
  });
})();
