// Render math with the KaTeX shipped in this site (no CDN). Material's `document$` fires on
// first load and after every instant navigation, so math renders on every page change.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    ignoredClasses: ["clipboard-copy-txt", "highlight", "highlight-ipynb"],
    throwOnError: false,
  });
});
