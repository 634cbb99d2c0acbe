"use strict";
// Bring the cited passage into view even when the link had no #cited fragment.
document.addEventListener("DOMContentLoaded", () => {
  const cited = document.getElementById("cited");
  if (cited && location.hash !== "#cited") {
    cited.scrollIntoView({ block: "center" });
  }
  if (cited) cited.focus({ preventScroll: true });
});
