/* The listening page's behaviour: sentence controls, caption area, following,
   search, chapters, the timeline and #t= deep links. Plain ES5, no network.
   The document reads well without it; nothing here is needed to read it. */
(function () {
"use strict";
var doc = document, audio = doc.getElementById("audio");
if (!audio) { return; }
var box = doc.getElementById("transcript");
var hours = box.hasAttribute("data-h");
// the sentences, and their starts from data-times (ms after the previous start)
var sents = [].slice.call(box.querySelectorAll("p > span"));
var ms = 0, times = box.getAttribute("data-times").split(" ").map(function (d) { ms += +d; return ms; });
if (times.length !== sents.length) { return; }
var starts = [], texts = [];
var chaps = [].slice.call(doc.querySelectorAll(".chap"));
var chapStarts = chaps.map(function (a) { return +a.getAttribute("data-c") / 1000; });
var caption = doc.getElementById("caption");
var capWho = caption.querySelector(".who"), capWhat = caption.querySelector(".what");
var follow = doc.getElementById("follow");
var reduce = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
var cur = -1, curChap = -1;

function clock(s) {
  s = Math.floor(s);
  var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
  var mm = (hours ? m : h * 60 + m), out = (mm < 10 ? "0" : "") + mm + ":" + (r < 10 ? "0" : "") + r;
  return hours ? h + ":" + out : out;
}
// the same time as an HTML duration string for <time datetime>, as units.html_duration writes it
function duration(s) {
  s = Math.floor(s);
  return "PT" + Math.floor(s / 3600) + "H" + Math.floor(s / 60) % 60 + "M" + s % 60 + "S";
}

var lastTurn = null, n = 0;
sents.forEach(function (el, i) {
  var t = times[i] / 1000, stamp = doc.createElement("time");
  el.setAttribute("data-t", times[i]);
  var turn = el.parentNode.parentNode;
  n = turn === lastTurn ? n + 1 : 0;
  lastTurn = turn;
  // a sentence without an id is named from its turn: <turn id>u00, u01...
  if (!el.id && turn.id) { el.id = turn.id + "u" + (n < 10 ? "0" : "") + n; }
  starts.push(t);
  texts.push(el.textContent.toLowerCase());
  stamp.className = "st";
  stamp.textContent = clock(t);
  stamp.setAttribute("datetime", duration(t));
  el.insertBefore(stamp, el.firstChild);
  el.setAttribute("role", "button");
  el.tabIndex = 0;
});

// the last index whose start is at or before t (-1 before the first)
function indexAt(list, t) {
  var lo = 0, hi = list.length - 1, found = -1;
  while (lo <= hi) {
    var mid = (lo + hi) >> 1;
    if (list[mid] <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return found;
}

function visible(el) {
  var r = el.getBoundingClientRect();
  return r.bottom > 0 && r.top < (window.innerHeight || doc.documentElement.clientHeight);
}

function show(i) {
  if (cur >= 0) { sents[cur].removeAttribute("aria-current"); }
  cur = i;
  caption.className = "caption";
  capWho.textContent = "";
  capWhat.textContent = "";
  if (i < 0) { return; }
  var el = sents[i], turn = el.parentNode.parentNode, text = el.cloneNode(true);
  el.setAttribute("aria-current", "true");
  text.removeChild(text.firstChild);
  caption.className = "caption " + turn.className.replace("turn", "").trim();
  capWho.textContent = turn.querySelector(".who").textContent + caption.getAttribute("data-colon");
  while (text.firstChild) { capWhat.appendChild(text.firstChild); }
  // follow only while the transcript is on screen: a listener at the player is not pulled away
  if (follow.checked && !visible(el) && visible(box)) {
    el.scrollIntoView({block: "center", behavior: reduce && reduce.matches ? "auto" : "smooth"});
  }
}

function update() {
  var t = audio.currentTime, i = indexAt(starts, t), c = indexAt(chapStarts, t);
  if (i !== cur) { show(i); }
  if (c !== curChap) {
    if (curChap >= 0) { chaps[curChap].removeAttribute("aria-current"); }
    curChap = c;
    if (c >= 0) { chaps[c].setAttribute("aria-current", "true"); }
  }
}

function seek(t, play) {
  audio.currentTime = t;
  update();
  if (play) {
    var p = audio.play();
    if (p && p.catch) { p.catch(function () {}); }
  }
}

var frame = 0;
function tick() { update(); frame = audio.paused ? 0 : window.requestAnimationFrame(tick); }
["timeupdate", "seeking", "seeked", "loadedmetadata"].forEach(function (name) {
  audio.addEventListener(name, update);
});
audio.addEventListener("play", function () { if (!frame) { frame = window.requestAnimationFrame(tick); } });

function sentenceOf(target) {
  while (target && target !== box) {
    if (target.hasAttribute && target.hasAttribute("data-t")) { return target; }
    target = target.parentNode;
  }
  return null;
}
function activate(el) { seek(+el.getAttribute("data-t") / 1000, true); }
box.addEventListener("click", function (e) {
  var el = sentenceOf(e.target);
  if (el) { activate(el); }
});
box.addEventListener("keydown", function (e) {
  var el = sentenceOf(e.target);
  if (!el || e.target !== el || e.altKey || e.ctrlKey || e.metaKey) { return; }
  if (e.key === "Enter") { e.preventDefault(); activate(el); }
  if (e.key === " " || e.key === "Spacebar") { e.preventDefault(); }
});
box.addEventListener("keyup", function (e) {
  var el = sentenceOf(e.target);
  if (el && e.target === el && (e.key === " " || e.key === "Spacebar")) { activate(el); }
});

chaps.forEach(function (a, n) {
  a.addEventListener("click", function (e) {
    e.preventDefault();
    seek(chapStarts[n], true);
    if (window.history && history.replaceState) { history.replaceState(null, "", a.getAttribute("href")); }
  });
});

[].slice.call(doc.querySelectorAll(".tl svg")).forEach(function (svg) {
  var span = svg.getAttribute("data-c").split(",");
  svg.addEventListener("click", function (e) {
    var r = svg.getBoundingClientRect(), f = Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1);
    seek((+span[0] + f * (span[1] - span[0])) / 1000, true);
  });
});

var speed = doc.getElementById("speed");
speed.addEventListener("change", function () {
  audio.playbackRate = audio.defaultPlaybackRate = +speed.value;
});
audio.addEventListener("loadedmetadata", function () { audio.playbackRate = +speed.value; });

// search: sentences holding the query are marked; Enter and the buttons move between them
var form = doc.getElementById("search"), q = doc.getElementById("q"), hits = [], at = -1;
var status = doc.getElementById("hits"), prev = doc.getElementById("prev");
form.hidden = false;
function find() {
  var query = q.value.trim().toLowerCase();
  hits = [];
  at = -1;
  sents.forEach(function (el, i) {
    var hit = query !== "" && texts[i].indexOf(query) >= 0;
    el.classList.toggle("hit", hit);
    if (hit) { hits.push(i); }
  });
  status.textContent = query === "" ? "" : hits.length ? status.getAttribute("data-n").replace("{n}", hits.length) : status.getAttribute("data-none");
}
function step(by) {
  if (!hits.length) { return; }
  at = (at + by + hits.length) % hits.length;
  sents[hits[at]].focus();
}
var timer = 0;
q.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(find, 120); });
form.addEventListener("submit", function (e) { e.preventDefault(); window.clearTimeout(timer); find(); step(1); });
prev.addEventListener("click", function () { if (at < 0) { find(); } step(-1); });

// #t=SECONDS (also t=npt:1:02.5 and t=10,20 as in Media Fragments) plays from there;
// #<sentence id> moves to that sentence
function fromHash(play) {
  var hash = decodeURIComponent(window.location.hash.slice(1));
  var m = /^t=(?:npt:)?([0-9:.]+)(?:,[0-9:.]*)?$/.exec(hash);
  if (m) {
    var t = m[1].split(":").reduce(function (acc, part) { return acc * 60 + (+part); }, 0);
    if (!isNaN(t)) {
      seek(t, play);
      if (cur >= 0) { sents[cur].scrollIntoView({block: "center"}); }
    }
    return;
  }
  var el = hash && doc.getElementById(hash);
  if (el && el.hasAttribute("data-t")) { seek(+el.getAttribute("data-t") / 1000, false); el.focus(); }
}
window.addEventListener("hashchange", function () { fromHash(true); });
fromHash(true);
update();
doc.documentElement.setAttribute("data-ready", "");
if (window.performance && performance.mark) { performance.mark("page-ready"); }
})();
