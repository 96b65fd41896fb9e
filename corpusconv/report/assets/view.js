"use strict";
/* corpusconv report, page view: the decision about a line as its tooltip (on hover).
   window.TIPS holds one text per decision: removals' by rule (data-rule), the others'
   by the line's data-k (a block, a comment, a line with a cut). */
document.addEventListener("mouseover", function (e) {
  var line = e.target && e.target.closest ? e.target.closest(".l[data-k], .l[data-rule]") : null;
  if (!line || line.title) { return; }
  var tips = window.TIPS || {rules: {}, lines: {}};
  var key = line.getAttribute("data-k");
  line.title = (key ? tips.lines[key] : tips.rules[line.getAttribute("data-rule")]) || "";
});
