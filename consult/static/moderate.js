// Keyboard shortcuts for moderators. Only an enhancement: every action is a normal form button.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var button = document.querySelector('#decision-form button[data-shortcut="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
