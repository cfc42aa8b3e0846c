/* The portal's progressive enhancement. Every page works without it: the language list shows
 * inline, "전체메뉴" opens the mobile menu through :target, file inputs are the browser's own.
 * Loaded in <head> without defer so the page is marked as scripted before it paints. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var FOCUSABLE = "a[href], button:not([disabled]):not([hidden]), input:not([disabled]):not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";

  function text(el, key, fallback) {
    return (el && el.getAttribute("data-" + key)) || fallback;
  }

  /* KRDS drop menus (the language switcher): a button that opens a list, closed by Escape or a click outside. */
  function setupDrops() {
    var wraps = document.querySelectorAll("[data-drop]");
    function closeAll(except) {
      wraps.forEach(function (wrap) {
        if (wrap === except) return;
        wrap.classList.remove("is-open");
        var button = wrap.querySelector(".drop-btn");
        if (button) { button.classList.remove("active"); button.setAttribute("aria-expanded", "false"); }
      });
    }
    wraps.forEach(function (wrap) {
      var button = wrap.querySelector(".drop-btn");
      if (!button) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = !wrap.classList.contains("is-open");
        closeAll(wrap);
        wrap.classList.toggle("is-open", open);
        button.classList.toggle("active", open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) { var first = wrap.querySelector(".drop-menu .item-link"); if (first) first.focus(); }
      });
      wrap.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && wrap.classList.contains("is-open")) {
          closeAll(); button.focus(); event.stopPropagation();
        }
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest("[data-drop]")) closeAll();
    });
    document.addEventListener("focusin", function (event) {
      if (!event.target.closest("[data-drop]")) closeAll();
    });
  }

  /* KRDS mobile menu: opened by "전체메뉴", focus kept inside until it is closed (Escape, the close button). */
  function setupMobileNav() {
    var nav = document.getElementById("mobile-nav");
    var opener = document.querySelector("[data-mobile-nav-open]");
    if (!nav || !opener) return;
    var closer = nav.querySelector("[data-mobile-nav-close]");
    nav.setAttribute("aria-modal", "true");
    nav.hidden = true;
    function focusables() {
      return Array.prototype.filter.call(nav.querySelectorAll(FOCUSABLE), function (el) {
        return el.offsetParent !== null || el === closer;
      });
    }
    function open() {
      nav.hidden = false;
      nav.classList.add("is-open", "is-backdrop");
      root.classList.add("mobile-nav-open");
      opener.setAttribute("aria-expanded", "true");
      var items = focusables();
      if (items.length) items[0].focus();
    }
    function close() {
      nav.classList.remove("is-open", "is-backdrop");
      nav.hidden = true;
      root.classList.remove("mobile-nav-open");
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }
    opener.addEventListener("click", function (event) { event.preventDefault(); open(); });
    if (closer) closer.addEventListener("click", function (event) { event.preventDefault(); close(); });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); return; }
      if (event.key !== "Tab") return;
      var items = focusables();
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    });
    nav.addEventListener("click", function (event) {
      if (event.target === nav) close();  // the dimmed backdrop
    });
    window.addEventListener("resize", function () {
      if (!nav.hidden && window.matchMedia("(min-width: 1024px)").matches) close();
    });
  }

  /* A message after a redirect ("신청이 접수되었습니다") is brought into view below the header. */
  function revealMessages() {
    var box = document.getElementById("portal-messages");
    if (!box) return;
    var rect = box.getBoundingClientRect();
    var header = document.getElementById("krds-header");
    var covered = header && getComputedStyle(header).position === "sticky" ? header.getBoundingClientRect().bottom : 0;
    if (rect.top < covered || rect.bottom > window.innerHeight) box.scrollIntoView({block: "start"});
  }

  /* KRDS file upload: a Korean "파일 선택" button, the chosen file's name and size, and "삭제" before sending. */
  function formatSize(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / (1024 * 1024)).toFixed(1) + "MB";
    return Math.max(1, Math.round(bytes / 1024)) + "KB";
  }
  function setupUploads() {
    document.querySelectorAll("[data-file-upload]").forEach(function (box) {
      var input = box.querySelector("input[type=file]");
      var pick = box.querySelector("[data-file-pick]");
      var list = box.querySelector("[data-file-list]");
      var items = box.querySelector("[data-file-items]");
      if (!input || !pick || !list || !items) return;
      input.classList.add("file-input-enhanced");
      input.setAttribute("tabindex", "-1");
      pick.hidden = false;
      pick.addEventListener("click", function () { input.click(); });
      function render() {
        items.textContent = "";
        var files = Array.prototype.slice.call(input.files || []);
        list.hidden = files.length === 0;
        files.forEach(function (file) {
          var li = document.createElement("li");
          var info = document.createElement("div");
          info.className = "file-info";
          var name = document.createElement("div");
          name.className = "file-name";
          var ext = (file.name.split(".").pop() || "").toLowerCase();
          name.textContent = file.name + " [" + ext + ", " + formatSize(file.size) + "]";
          var wrap = document.createElement("div");
          wrap.className = "btn-wrap";
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "krds-btn medium text";
          remove.textContent = text(box, "remove-label", "삭제") + " ";
          var sr = document.createElement("span");
          sr.className = "sr-only";
          sr.textContent = file.name;
          remove.appendChild(sr);
          var icon = document.createElement("i");
          icon.className = "svg-icon ico-delete-fill";
          icon.setAttribute("aria-hidden", "true");
          remove.appendChild(icon);
          remove.addEventListener("click", function (event) {
            input.value = "";
            render();
            if (event.detail > 0) { pick.focus(); return; }  // a pointer
            // A key: move focus once it is released, or the same Enter would press 파일 선택 too
            // and open the file dialog again.
            document.addEventListener("keyup", function once() {
              document.removeEventListener("keyup", once);
              pick.focus();
            });
          });
          wrap.appendChild(remove);
          info.appendChild(name);
          info.appendChild(wrap);
          li.appendChild(info);
          items.appendChild(li);
        });
      }
      input.addEventListener("change", render);
      render();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupDrops();
    setupMobileNav();
    setupUploads();
    revealMessages();
  });
})();
