/* The home page's small map of the worker's grids. */
(function () {
  "use strict";

  var element = document.querySelector("[data-grids-map]");
  if (element && window.L) GovgridMap.showGrids(element, JSON.parse(document.getElementById("my-grids").textContent), "#b71c1c");
})();
