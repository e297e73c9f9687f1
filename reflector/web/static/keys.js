// The API keys page: copy a new key to the clipboard in one click.
"use strict";

(function () {
  const key = document.getElementById("new-key");
  const copy = document.getElementById("copy-key");
  const status = document.getElementById("copy-status");
  if (!key || !copy || !navigator.clipboard) {
    return;
  }
  copy.hidden = false;
  copy.addEventListener("click", async function () {
    try {
      await navigator.clipboard.writeText(key.textContent.trim());
      status.textContent = "Copied.";
    } catch (error) {
      status.textContent = "Could not copy: select the key and copy it.";
    }
  });
})();
