// Material builds two things in the browser, after the page arrives, that the build
// (attention_site/pages/) therefore cannot finish:
// - a box around every table that scrolls sideways on a narrow screen: give it the keyboard
//   stop, role and name the build gives code boxes;
// - on a screen without hover (a phone), Material takes the keyboard stop off every code block
//   that scrolls (it sets tabindex only where `(hover)` matches): give back the stop the build
//   gave each scroll box (role and name stay), as a keyboard or switch user needs it there too;
// - a <nav> holding each code block's copy button: dozens of unnamed navigation landmarks,
//   where a page should have a few distinct ones; it is a button's container, not navigation.
const TABLE_LABEL = { en: "Table (scrolls sideways)", zh: "表格，可横向滚动" };

function finishMaterialBoxes() {
  const label = TABLE_LABEL[document.documentElement.lang] || TABLE_LABEL.en;
  for (const box of document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])")) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", label);
  }
  for (const box of document.querySelectorAll("[role=group][aria-label]:not([tabindex])")) {
    box.setAttribute("tabindex", "0");
  }
  for (const nav of document.querySelectorAll("nav.md-code__nav:not([role])")) {
    nav.setAttribute("role", "none");
  }
}

// Material adds them when it mounts a page (first load and every instant navigation). The
// observer runs as a microtask right after Material's change, before any later input or task
// (a frame later would leave a window in which the box has no keyboard stop).
new MutationObserver(finishMaterialBoxes).observe(document.body, {
  childList: true,
  subtree: true,
  attributeFilter: ["tabindex"],
});
finishMaterialBoxes();
