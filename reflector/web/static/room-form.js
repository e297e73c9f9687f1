// The room form offers only the options the chosen platform supports.
"use strict";

(function () {
  const platform = document.getElementById("platform");
  const recording = document.getElementById("recording_type");

  function offer() {
    const chosen = platform.selectedOptions[0];
    const can = (chosen ? chosen.dataset.capabilities : "").split(" ");
    for (const option of recording.options) {
      const supported = !option.dataset.needs || can.includes(option.dataset.needs);
      option.disabled = !supported;
      option.hidden = !supported;
    }
    if (recording.selectedOptions[0] && recording.selectedOptions[0].disabled) {
      recording.value = Array.from(recording.options).find((option) => !option.disabled).value;
    }
  }

  platform.addEventListener("change", offer);
  offer();
})();
