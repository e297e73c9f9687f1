// The room form offers only the options the chosen platform supports; a new room records
// what its platform records by default until someone picks otherwise, and "Recording starts"
// is shown only when there is a recording to start. A name the browser refuses is refused
// with the rules for names, not only "Please match the requested format".
"use strict";

(function () {
  const platform = document.getElementById("platform");
  const recording = document.getElementById("recording_type");
  const starts = document.getElementById("recording-starts");
  const chosen = () => platform.selectedOptions[0];
  let picked = !recording.form.hasAttribute("data-new") ||
    (chosen() && recording.value !== chosen().dataset.defaultRecording);

  function offer() {
    const can = (chosen() ? chosen().dataset.capabilities : "").split(" ");
    for (const option of recording.options) {
      const supported = !option.dataset.needs || can.includes(option.dataset.needs);
      option.disabled = !supported;
      option.hidden = !supported;
    }
    if (recording.selectedOptions[0] && recording.selectedOptions[0].disabled) {
      recording.value = "none";
    }
    show();
  }

  function show() {
    starts.hidden = recording.value === "none";
  }

  platform.addEventListener("change", function () {
    if (!picked && chosen()) {
      recording.value = chosen().dataset.defaultRecording;
    }
    offer();
  });
  recording.addEventListener("change", function () {
    picked = true;
    show();
  });
  const name = document.getElementById("name");
  const rules = document.getElementById("name-rules");
  function explain() {
    name.setCustomValidity("");
    if (name.validity.patternMismatch) {
      name.setCustomValidity("A room name is " + rules.textContent.trim() + ".");
    }
  }
  name.addEventListener("input", explain);
  explain();
  offer();
})();
