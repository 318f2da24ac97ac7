"use strict";
// Lists the API from /openapi.json: offline, no external scripts.
(async function () {
  const box = document.getElementById("endpoints");
  const spec = await (await fetch("/openapi.json")).json();
  box.textContent = "";
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [verb, op] of Object.entries(ops)) {
      const sec = document.createElement("section");
      sec.className = "endpoint";
      const h = document.createElement("h2");
      h.textContent = verb.toUpperCase() + " " + path;
      const p = document.createElement("p");
      p.textContent = op.summary || "";
      sec.append(h, p);
      const params = op.parameters || [];
      if (params.length) {
        const t = document.createElement("table");
        t.innerHTML = "<tr><th>parameter</th><th>type</th><th>default</th><th>range</th><th></th></tr>";
        for (const prm of params) {
          let s = prm.schema || {};
          if (s.anyOf) s = s.anyOf.find((x) => x.type !== "null") || s;
          const range = [];
          if (s.minimum !== undefined) range.push("≥ " + s.minimum);
          if (s.maximum !== undefined) range.push("≤ " + s.maximum);
          if (s.maxLength !== undefined) range.push("≤ " + s.maxLength + " chars");
          if (s.pattern) range.push(s.pattern.replace(/^\^\(|\)\$$/g, "").split("|").join(" | "));
          const tr = document.createElement("tr");
          for (const cell of [prm.name + (prm.required ? " *" : ""), s.type || "",
            prm.schema && prm.schema.default !== undefined ? String(prm.schema.default) : "",
            range.join(", "), prm.description || ""]) {
            const td = document.createElement("td");
            td.textContent = cell;
            tr.append(td);
          }
          t.append(tr);
        }
        sec.append(t);
      }
      box.append(sec);
    }
  }
})();
