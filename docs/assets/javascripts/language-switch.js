// Keep the language menu pointing at this page's twin. Every page has the same slug in both
// languages (English at the root, Chinese under zh/), so the twin follows from the URL.
// Material's instant navigation swaps the page but not the header, so without this the menu
// would keep pointing at the twins of the first page loaded.
const DEFAULT_LANGUAGE = "en";
const siteRoot = new URL(
  JSON.parse(document.getElementById("__config").textContent).base + "/",
  location.href
);

document$.subscribe(() => {
  const path = location.pathname.slice(siteRoot.pathname.length); // e.g. "zh/glossary/"
  const [first, ...rest] = path.split("/");
  for (const link of document.querySelectorAll("a.md-select__link[hreflang]")) {
    const lang = link.hreflang;
    const current = link.closest(".md-select__list").querySelector(`[hreflang="${first}"]`);
    const page = current && first !== DEFAULT_LANGUAGE ? rest.join("/") : path;
    const prefix = lang === DEFAULT_LANGUAGE ? "" : `${lang}/`;
    link.href = new URL(prefix + page, siteRoot).href;
  }
});

// Follow a language link with a plain page load. Instant navigation would otherwise take the
// click (the sitemap lists both languages) and swap the twin's content in under this
// language's header, search index and <html lang>.
document.addEventListener(
  "click",
  (event) => {
    if (event.target instanceof Element && event.target.closest("a.md-select__link[hreflang]")) {
      event.stopPropagation();
    }
  },
  true
);
