// Figures drawn by attention.plotting: `<figure class="attn-figure">` around two images of one
// SVG file, `#only-light` and `#only-dark`, of which Material shows the one of the reader's
// scheme (attention_site/notebooks/figures.py). They need no script: this one only adds.
// - A tap, a click, Enter or Space opens the figure full-width in a native <dialog>, where a
//   phone can read small labels (and zoom or scroll); Escape or the close button closes it.
// - A printout is always in the light scheme (dark pages print light grey on white).
(function () {
  "use strict";
  var zh = function () { return document.documentElement.lang.indexOf("zh") === 0; };

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
    // The image the reader sees (the other is display:none), at its natural size: every label
    // at the size it was drawn, 7 pt or more, so at least 9 CSS px; a phone scrolls instead.
    var shown = [].filter.call(figure.querySelectorAll("img"), function (img) {
      return img.offsetParent !== null;
    })[0] || figure.querySelector("img");
    var img = shown.cloneNode(true);
    img.removeAttribute("loading");
    var box = dialog();
    box.lastChild.replaceChildren(img);
    box.setAttribute("aria-label", img.alt || "");
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
    });
  }

  // Print in the light scheme: Material's palette, figures.css and jupyter.css all follow this
  // attribute (the light image of each figure is the same file as the dark one: already here).
  var scheme = null;
  window.addEventListener("beforeprint", function () {
    scheme = document.body.getAttribute("data-md-color-scheme");
    if (scheme && scheme !== "default") document.body.setAttribute("data-md-color-scheme", "default");
  });
  window.addEventListener("afterprint", function () {
    if (scheme) document.body.setAttribute("data-md-color-scheme", scheme);
    scheme = null;
  });

  // Material's instant navigation swaps the page without a reload: enhance every new page.
  if (typeof document$ !== "undefined") document$.subscribe(enhance);
  else document.addEventListener("DOMContentLoaded", enhance);
})();
