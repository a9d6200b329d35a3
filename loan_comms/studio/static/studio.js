// The editor's live check: after each pause in typing, POST the text to /api/check and show the lint
// problems beside their part, the sample renders, the SMS segments and the diff. Everything from the
// server is set as text (never as HTML); an email's HTML part goes into a sandboxed iframe.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) { return; }
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var tid = form.getAttribute("data-template-id");
  var channel = form.getAttribute("data-channel");
  var preview = document.getElementById("preview");
  var summary = document.getElementById("summary");
  var seq = 0, timer = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function parts() {
    var out = {};
    form.querySelectorAll("textarea[data-part]").forEach(function (t) { out[t.getAttribute("data-part")] = t.value; });
    return out;
  }

  function showProblems(problems) {
    var lists = {};
    form.querySelectorAll("ul.problems").forEach(function (ul) { ul.replaceChildren(); lists[ul.id] = ul; });
    problems.forEach(function (p) {
      var ul = lists["problems-" + (p.part || "other")] || lists["problems-other"];
      var where = p.line ? " line " + p.line : "";
      ul.appendChild(el("li", p.severity, p.severity.toUpperCase() + where + ": " + p.message + " — fix: " + p.fix));
    });
  }

  function showSamples(samples) {
    var box = el("div", "samples");
    samples.forEach(function (s) {
      var card = el("div", "sample");
      card.setAttribute("data-sample", s.label);
      card.appendChild(el("h3", null, s.label));
      if (s.error) {
        card.appendChild(el("p", "fail", "Does not render: " + s.error));
      } else {
        if (s.sms) {
          card.appendChild(el("p", "meta sms-length", s.sms.chars + " chars · " + s.sms.segments + " segment(s) · " + s.sms.encoding));
        }
        if (s.subject !== null) { card.appendChild(el("p", "subject", "Subject: " + s.subject)); }
        if (channel === "email") {
          var frame = el("iframe");
          frame.setAttribute("sandbox", "");
          frame.setAttribute("title", "HTML part");
          frame.srcdoc = s.html || "";
          card.appendChild(frame);
        }
        card.appendChild(el("pre", null, s.text));
      }
      box.appendChild(card);
    });
    preview.replaceChildren(box);
  }

  function showDiff(changes) {
    var box = document.getElementById("diff");
    box.replaceChildren();
    if (!changes.length) { box.appendChild(el("p", "meta", "No changes.")); return; }
    changes.forEach(function (c) {
      box.appendChild(el("h3", null, c.part));
      var pre = el("pre", "diff");
      c.lines.forEach(function (l) {
        pre.appendChild(el("span", l.charAt(0) === "+" ? "add" : (l.charAt(0) === "-" ? "del" : "ctx"), l));
      });
      box.appendChild(pre);
    });
  }

  function check() {
    var mine = ++seq;
    summary.textContent = "Checking…";
    fetch("/api/check", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({template_id: tid, parts: parts()})
    }).then(function (r) { return r.json().then(function (data) { return [r.status, data]; }); })
      .then(function (res) {
        if (mine !== seq) { return; }           // a newer check is on its way
        var data = res[1];
        if (res[0] !== 200) { summary.textContent = data.error || "The check failed; reload the page."; return; }
        showProblems(data.problems);
        var note = document.getElementById("preview-note");
        if (data.samples.length || !data.errors) {
          showSamples(data.samples);
          note.textContent = "";
        } else {                                // keep the last good preview while the text does not compile
          note.textContent = "The preview shows the last version without errors: fix the error to see this one.";
        }
        showDiff(data.diff);
        var errors = data.errors, warnings = data.problems.length - data.errors;
        var text = "Version " + data.version + " · " + errors + " error(s), " + warnings + " warning(s)";
        if (channel === "sms" && data.max_segments) { text += " · up to " + data.max_segments + " SMS segment(s)"; }
        summary.textContent = text;
        summary.className = errors ? "meta error" : "meta ok";
        preview.setAttribute("data-version", data.version);
        preview.setAttribute("data-errors", String(errors));
        if (data.samples.length) { preview.setAttribute("data-max-segments", String(data.max_segments)); }
        preview.setAttribute("data-checked", String(mine));
        form.querySelector("#save-submit").disabled = errors > 0;
      })
      .catch(function () { if (mine === seq) { summary.textContent = "The studio could not be reached; your text is still here."; } });
  }

  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 250); });
  check();
}());
