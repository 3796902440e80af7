// Figures drawn by attention.plotting (`<figure class="attn-figure">` around an SVG):
// - The page holds a box of each figure's size that names a file beside the page
//   (attention_site/pages.py, lazy_figures); the figure is fetched as its box nears the screen,
//   when it is opened, or before printing, and its <svg> takes the box's place. The glyph
//   outlines the figures share come from one more file, fetched with the first figure.
// - A tap, a click, Enter or Space opens the figure full-width in a native <dialog>, where a
//   phone can read small labels (and zoom or scroll); Escape or the close button closes it.
(function () {
  "use strict";
  var zh = function () { return document.documentElement.lang.indexOf("zh") === 0; };
  var glyphs = {};  // glyph file URL -> promise of its markup

  function fetchText(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("figures: " + url + " answered " + response.status);
      return response.text();
    });
  }

  function element(markup) {
    var template = document.createElement("template");
    template.innerHTML = markup;
    return template.content.firstElementChild;
  }

  function needGlyphs(name) {
    if (!name) return Promise.resolve();
    var url = new URL(name, document.baseURI).href;
    glyphs[url] = glyphs[url] || fetchText(url);
    return glyphs[url].then(function (markup) {
      // Once per page: instant navigation replaces the article, and the glyphs with it.
      if (document.querySelector('svg[data-attn-glyphs-of="' + url + '"]')) return;
      var svg = element(markup);
      svg.setAttribute("data-attn-glyphs-of", url);
      var article = document.querySelector("article") || document.body;
      article.insertBefore(svg, article.firstChild);
    });
  }

  // Resolves when the figure's <svg> is in the page.
  function load(figure) {
    var box = figure.querySelector(".attn-figure__svg[data-attn-svg]");
    if (!box) return Promise.resolve();
    if (!box.attnLoading) {
      var url = new URL(box.getAttribute("data-attn-svg"), document.baseURI).href;
      box.attnLoading = Promise.all([fetchText(url), needGlyphs(box.getAttribute("data-attn-glyphs"))])
        .then(function (done) { box.replaceWith(element(done[0])); })
        .catch(function (error) { box.attnLoading = null; console.error(error); });
    }
    return box.attnLoading;
  }

  function loadAll() {
    return Promise.all([].map.call(document.querySelectorAll(".attn-figure"), load));
  }
  window.attnFigures = { loadAll: loadAll };
  window.addEventListener("beforeprint", loadAll);

  // A screen ahead of the reader, so that figures are there by the time they scroll in.
  var near = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      near.unobserve(entry.target);
      load(entry.target);
    });
  }, { rootMargin: "100% 0px" }) : null;

  function dialog() {
    var box = document.getElementById("attn-lightbox");
    if (box) return box;
    box = document.createElement("dialog");
    box.id = "attn-lightbox";
    box.className = "attn-lightbox";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "attn-lightbox__close";
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { box.close(); });
    box.appendChild(close);
    box.appendChild(document.createElement("div"));
    // A click on the backdrop (outside the content) closes too.
    box.addEventListener("click", function (event) { if (event.target === box) box.close(); });
    box.addEventListener("close", function () {
      if (box.opener && document.body.contains(box.opener)) box.opener.focus();
    });
    document.body.appendChild(box);
    return box;
  }

  function open(figure, opener) {
    load(figure).then(function () { show(figure, opener); });
  }

  function show(figure, opener) {
    var box = dialog();
    // At its natural size (its width and height in pt): every label at the size it was drawn,
    // 7 pt or more, so at least 9 CSS px; a phone scrolls instead of shrinking it.
    var svg = figure.querySelector("svg").cloneNode(true);
    box.lastChild.replaceChildren(svg);
    box.setAttribute("aria-label", svg.getAttribute("aria-label") || "");
    box.firstChild.setAttribute("aria-label", zh() ? "关闭" : "Close");
    box.opener = opener;
    box.showModal();
    box.firstChild.focus();
  }

  function enhance() {
    // A real <button> over the figure (a <figure> may not take the button role): a tap anywhere
    // on the figure, or Enter/Space on the focused button, opens it.
    document.querySelectorAll(".attn-figure:not([data-attn-lightbox])").forEach(function (figure) {
      figure.setAttribute("data-attn-lightbox", "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "attn-figure__open";
      button.setAttribute("aria-haspopup", "dialog");
      button.setAttribute("aria-label", zh() ? "放大这张图" : "Enlarge this figure");
      button.title = zh() ? "点击放大" : "Click to enlarge";
      button.addEventListener("click", function () { open(figure, button); });
      figure.appendChild(button);
      if (near) near.observe(figure);
      else load(figure);
    });
  }

  // Material's instant navigation swaps the page without a reload: enhance every new page.
  if (typeof document$ !== "undefined") document$.subscribe(enhance);
  else document.addEventListener("DOMContentLoaded", enhance);
})();
