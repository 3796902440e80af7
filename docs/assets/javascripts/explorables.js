// Draw the explorables (attention/explorables/): each `.attn-explorable` figure names the
// Vega-Lite spec computed at build time (a JSON file beside the page) and shows a still of the
// chart's first state (an image: what a reader without JavaScript, or a printout, sees), which
// the live chart replaces once drawn. The vega scripts (~830 KB) are shipped in
// assets/vega/ and loaded only when an explorable comes near the screen. Material's instant
// navigation does not re-run this file, so it acts on every `document$` event (a new page).
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
      // Vega describes every mark and axis in English ("X-axis titled ..."): hidden from
      // screen readers, which get the chart's name (the spec's description, in the page's
      // language) and the figure's caption instead.
      aria: false,
    };
  };

  // The word a screen reader says for the chart's role, in the figure's language.
  const ROLE = { en: "interactive chart", zh: "交互图" };

  const render = async (figure) => {
    // The spec: a JSON file beside the page (attention_site/notebooks/figures.py), fetched once.
    const target = figure.querySelector(".attn-explorable-chart");
    if (!figure.attnSpec && figure.dataset.attnSpec) {
      const url = new URL(figure.dataset.attnSpec, document.baseURI);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`explorables: ${url} answered ${response.status}`);
      figure.attnSpec = await response.json();
    }
    if (!figure.attnSpec || !target) {
      console.error(`explorables: ${figure.id} has no chart spec`);
      return;
    }
    const spec = structuredClone(figure.attnSpec);
    const previous = figure.attnView;
    if (previous) {
      // Re-drawn for a new colour scheme: keep the reader's settings.
      for (const param of spec.params || []) {
        if (param.bind) param.value = previous.signal(param.name);
      }
      previous.finalize();
    }
    if (!previous) target.replaceChildren();  // the still goes, the live chart comes
    const result = await vegaEmbed(target, spec, {
      actions: false,
      renderer: "svg",
      defaultStyle: false,
      config: theme(),
    });
    // The Vega view stays on the figure: a redraw reads the reader's settings back from it,
    // and tests read its signals and data (view.signal, view.data).
    figure.attnView = result.view;
    // The chart's name: the spec's description (attention/explorables/core.py), else the
    // first sentence of the figure's caption; never Vega's "Vega visualization".
    const caption = figure.querySelector(".attn-explorable-desc")?.textContent || "";
    const name = spec.description || caption.split(/(?<=[.。])\s*/)[0];
    if (name) target.setAttribute("aria-label", name);
    target.setAttribute("aria-roledescription", ROLE[figure.lang] || ROLE.en);
    figure.dataset.rendered = "true";
  };

  const renderAll = (figures) =>
    loadLibraries()
      .then(() => Promise.all([...figures].map(render)))
      .catch((error) => console.error(error));

  // Load and draw a chart only when it comes near the screen: a reader who never scrolls
  // that far never downloads the vega scripts, and the page's first load stays light.
  let watcher = null;
  document$.subscribe(() => {
    if (watcher) watcher.disconnect();
    const figures = document.querySelectorAll(".attn-explorable");
    if (!figures.length) return;
    watcher = new IntersectionObserver(
      (entries) => {
        const near = entries.filter((entry) => entry.isIntersecting).map((entry) => entry.target);
        near.forEach((figure) => watcher.unobserve(figure));
        if (near.length) renderAll(near);
      },
      { rootMargin: "600px 0px" }
    );
    figures.forEach((figure) => watcher.observe(figure));
  });

  // Material switches schemes by setting data-md-color-scheme on <body>: redraw in its colours.
  new MutationObserver(() => {
    const figures = document.querySelectorAll(".attn-explorable[data-rendered]");
    if (figures.length) renderAll(figures);
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
