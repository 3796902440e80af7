// Figures drawn by attention.plotting (`<figure class="attn-figure">` around an inline SVG):
// a tap, a click, Enter or Space opens the figure full-width in a native <dialog>, where a
// phone can read small labels (and zoom or scroll); Escape or the close button closes it.
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
    });
  }

  // Material's instant navigation swaps the page without a reload: enhance every new page.
  if (typeof document$ !== "undefined") document$.subscribe(enhance);
  else document.addEventListener("DOMContentLoaded", enhance);
})();
