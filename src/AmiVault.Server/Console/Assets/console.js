// AmiVault console: the little the pages need beyond HTML. No framework, nothing fetched from elsewhere.
"use strict";

// Live regions: an element with data-live="URL" is replaced by what URL answers, every 1.5 s, for as long as the
// answer still carries data-live (the server leaves it out once nothing runs).
function refreshLive() {
  for (const element of document.querySelectorAll("[data-live]")) {
    if (element.dataset.busy) continue;
    element.dataset.busy = "1";
    fetch(element.dataset.live, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(response => response.ok ? response.text() : Promise.reject(response.status))
      .then(text => {
        const holder = document.createElement("div");
        holder.innerHTML = text;
        const replacement = holder.firstElementChild;
        if (replacement) element.replaceWith(replacement); else delete element.dataset.busy;
      })
      .catch(() => { delete element.dataset.busy; });
  }
}
setInterval(refreshLive, 1500);

// Task forms: each change is checked on the server with DryRun, so AWS's refusal shows before submitting.
for (const form of document.querySelectorAll("form[data-check]")) {
  const output = form.querySelector("#check");
  let pending = 0;
  const check = () => {
    const query = new URLSearchParams(new FormData(form));
    query.delete("csrf");
    const ticket = ++pending;
    fetch(form.dataset.check + "?" + query.toString(), { credentials: "same-origin" })
      .then(response => response.text())
      .then(text => { if (ticket === pending) output.innerHTML = text; });
  };
  let timer = 0;
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 300); });
  form.addEventListener("change", check);
}
