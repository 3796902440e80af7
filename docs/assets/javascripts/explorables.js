// Draw the explorables (attention/explorables.py): each `.attn-explorable` figure holds a
// Vega-Lite spec computed at build time. The vega scripts (~830 KB) are shipped in
// assets/vega/ and loaded only when a page has an explorable, on first need. Material's instant
// navigation does not re-run scripts inside the page, so this runs on every `document$` event.
(() => {
  // assets/javascripts/explorables.js -> assets/vega/, whatever the page's depth.
  const vegaBase = new URL("../vega/", document.currentScript.src).href;
  const LIBRARIES = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"];
  let loading = null;

  const loadScript = (src) =>
    new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`explorables: could not load ${src}`));
      document.head.appendChild(script);
    });

  const loadLibraries = () => {
    if (!loading) {
      // In order: vega-lite needs vega, vega-embed needs both.
      loading = LIBRARIES.reduce(
        (done, name) => done.then(() => loadScript(vegaBase + name)),
        Promise.resolve()
      );
    }
    return loading;
  };

  // Axis and text colours from the page's colour scheme (Material's CSS variables).
  const theme = () => {
    const css = getComputedStyle(document.body);
    const get = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    const ink = get("--md-default-fg-color", "#000000de");
    const muted = get("--md-default-fg-color--light", "#0000008a");
    const faint = get("--md-default-fg-color--lightest", "#00000012");
    const font = css.fontFamily;
    return {
      background: null,
      font,
      axis: {
        labelColor: muted, titleColor: ink, domainColor: muted, tickColor: muted,
        gridColor: faint, labelFont: font, titleFont: font,
      },
      legend: { labelColor: muted, titleColor: ink },
      title: { color: ink },
      text: { color: ink },
      view: { stroke: null },
    };
  };

  const render = async (figure) => {
    const specNode = figure.querySelector("script.attn-explorable-spec");
    const target = figure.querySelector(".attn-explorable-chart");
    if (!specNode || !target) return;
    const spec = JSON.parse(specNode.textContent);
    const previous = figure.attnView;
    if (previous) {
      // Re-drawn for a new colour scheme: keep the reader's settings.
      for (const param of spec.params || []) {
        if (param.bind) param.value = previous.signal(param.name);
      }
      previous.finalize();
    }
    const result = await vegaEmbed(target, spec, {
      actions: false,
      renderer: "svg",
      defaultStyle: false,
      config: theme(),
    });
    figure.attnView = result.view;
    figure.dataset.rendered = "true";
  };

  const renderAll = (figures) =>
    loadLibraries()
      .then(() => Promise.all([...figures].map(render)))
      .catch((error) => console.error(error));

  document$.subscribe(() => {
    const figures = document.querySelectorAll(".attn-explorable");
    if (figures.length) renderAll(figures);
  });

  // Material switches schemes by setting data-md-color-scheme on <body>: redraw in its colours.
  new MutationObserver(() => {
    const figures = document.querySelectorAll(".attn-explorable[data-rendered]");
    if (figures.length) renderAll(figures);
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
