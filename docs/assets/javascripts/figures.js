// Figures drawn by attention.plotting: `<figure class="attn-figure">` around two images of one
// SVG file, `#only-light` and `#only-dark`, of which Material shows the one of the reader's
// scheme (attention_site/notebooks/figures.py). They need no script: this one only adds.
// - A tap, a click, Enter or Space opens the figure in a native <dialog>: as large as the
//   screen allows, up to twice its natural size (a desktop), never below it (a phone scrolls
//   sideways, by touch or arrow keys, with the shadow cue of every box that scrolls); Escape, the
//   close button or a click beside the figure closes it.
// - Where a figure is shrunk below its natural size (a phone), a visible cue under it says so:
//   "Tap to enlarge" on a touch screen, "Click to enlarge" with a mouse; it comes with the
//   button, so a reader without JavaScript (who has no lightbox) sees none.
// - A printout is always in the light scheme (dark pages print light grey on white).
(function () {
  "use strict";
  var zh = function () { return document.documentElement.lang.indexOf("zh") === 0; };

  var words = function () {
    var touch = window.matchMedia("(hover: none)").matches;
    if (zh()) return touch ? "点按放大" : "点击放大";
    return touch ? "Tap to enlarge" : "Click to enlarge";
  };

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
    // The figure's box: it scrolls where the figure is wider than the screen, so a keyboard
    // stop and a name, like every box that scrolls (extra.css draws the shadow cue).
    var body = document.createElement("div");
    body.className = "attn-lightbox__body";
    body.tabIndex = 0;
    body.setAttribute("role", "group");
    box.appendChild(body);
    // A click on the backdrop or beside the figure closes too.
    box.addEventListener("click", function (event) {
      if (event.target === box || event.target === body) box.close();
    });
    box.addEventListener("close", function () {
      if (box.opener && document.body.contains(box.opener)) box.opener.focus();
    });
    window.addEventListener("resize", function () { if (box.open) fit(box); });
    document.body.appendChild(box);
    return box;
  }

  // Twice the natural size at most (sharp: the image is SVG), as much of that as the dialog
  // holds, and never below the natural size, where its smallest text (7 pt) is 9 CSS px.
  var MAX_SCALE = 2;
  function fit(box) {
    var img = box.lastChild.firstChild, style = getComputedStyle(box);
    var width = Number(img.getAttribute("width")), height = Number(img.getAttribute("height"));
    if (!width || !height) return;
    var room = function (size, start, end) {
      return size - parseFloat(style[start]) - parseFloat(style[end]);
    };
    var scale = Math.max(1, Math.min(
      MAX_SCALE,
      room(box.clientWidth, "paddingLeft", "paddingRight") / width,
      room(box.clientHeight, "paddingTop", "paddingBottom") / height
    ));
    img.style.width = Math.floor(width * scale) + "px";
    img.style.height = "auto";
  }

  function open(figure, opener) {
    var shown = [].filter.call(figure.querySelectorAll("img"), function (img) {
      return img.offsetParent !== null;
    })[0] || figure.querySelector("img");  // the image the reader sees (the other is hidden)
    var img = shown.cloneNode(true);
    img.removeAttribute("loading");
    var box = dialog(), body = box.lastChild;
    body.replaceChildren(img);
    body.setAttribute("aria-label", zh() ? "图，可滚动" : "Figure (scrolls)");
    box.setAttribute("aria-label", img.alt || "");
    box.firstChild.setAttribute("aria-label", zh() ? "关闭" : "Close");
    box.opener = opener;
    box.showModal();
    fit(box);
    body.scrollLeft = 0;
    // Arrow keys scroll the figure where it is wider than the screen; else the close button.
    if (body.scrollWidth > body.clientWidth + 1) body.focus();
    else box.firstChild.focus();
  }

  // The cue shows where the figure is shrunk below its natural size (figures.css).
  function markShrunk() {
    document.querySelectorAll(".attn-figure[data-attn-lightbox]").forEach(function (figure) {
      var img = [].filter.call(figure.querySelectorAll("img"), function (i) {
        return i.offsetParent !== null;
      })[0];
      var natural = img && Number(img.getAttribute("width"));
      figure.classList.toggle("attn-figure--shrunk", !!natural && img.clientWidth < natural - 1);
    });
  }
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; markShrunk(); });
  });

  function enhance() {
    // A real <button> over the figure (a <figure> may not take the button role): a tap anywhere
    // on the figure, or Enter/Space on the focused button, opens it. Its name is the cue's words
    // (a speech-input user says what they see).
    document.querySelectorAll(".attn-figure:not([data-attn-lightbox])").forEach(function (figure) {
      figure.setAttribute("data-attn-lightbox", "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "attn-figure__open";
      button.setAttribute("aria-haspopup", "dialog");
      button.setAttribute("aria-label", words());
      var cue = document.createElement("span");
      cue.className = "attn-figure__cue";
      cue.textContent = words();
      button.appendChild(cue);
      button.addEventListener("click", function () { open(figure, button); });
      figure.appendChild(button);
    });
    markShrunk();
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
