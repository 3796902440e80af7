// Keep the language menu pointing at this page's twin. Material's instant navigation swaps the
// page and the <head> (whose <link rel="alternate" hreflang> tags mkdocs-static-i18n fills per
// page) but not the header, so without this the menu would keep the first page's links.
document$.subscribe(() => {
  for (const link of document.querySelectorAll("a.md-select__link[hreflang]")) {
    const twin = document.head.querySelector(
      `link[rel="alternate"][hreflang="${link.hreflang}"]`
    );
    if (twin) link.href = twin.href;
  }
});
