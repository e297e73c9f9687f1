// The room's history: recordings being processed show their stage and progress as it
// changes, and the host uploads recordings with a progress bar.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("room-config").textContent);
  const POLL_EVERY_MS = 2000;
  const FINISHED = ["done", "failed"];
  const UPLOADED_SHOWN_MS = 5000;

  function describe(recording) {
    let text = recording.status;
    if (recording.stage && !FINISHED.includes(recording.status)) {
      text += " (" + recording.stage + ")";
    }
    return text;
  }

  function follow(item) {
    async function look() {
      const response = await fetch("/v1/recordings/" + item.dataset.recordingId, {
        credentials: "same-origin",
      });
      if (!response.ok) {
        return;
      }
      const recording = await response.json();
      show(item, recording);
      if (!FINISHED.includes(recording.status)) {
        window.setTimeout(look, POLL_EVERY_MS);
      }
    }
    look();
  }

  // 12.5 -> "0:12", 3725 -> "1:02:05", as the page writes times.
  function clock(seconds) {
    const total = Math.floor(seconds);
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const rest = String(total % 60).padStart(2, "0");
    return hours ? hours + ":" + String(minutes).padStart(2, "0") + ":" + rest : minutes + ":" + rest;
  }

  function show(item, recording) {
    item.dataset.status = recording.status;
    if (recording.duration) {
      item.querySelector(".label").textContent = "Recording of " + clock(recording.duration) + ":";
    }
    item.querySelector("[data-status-text]").textContent = describe(recording);
    const bar = item.querySelector("progress");
    if (bar && FINISHED.includes(recording.status)) {
      bar.remove();
    } else if (bar) {
      bar.value = recording.progress || 0;
      bar.textContent = Math.round((recording.progress || 0) * 100) + " %";
    }
    if (recording.error && !item.querySelector(".error")) {
      const error = document.createElement("span");
      error.className = "error";
      error.textContent = recording.error;
      item.append(error);
    }
    if (recording.transcript_id && !item.querySelector("[data-transcript-link]")) {
      const link = document.createElement("a");
      link.href = "/transcripts/" + recording.transcript_id;
      link.dataset.transcriptLink = "";
      link.textContent = "Transcript";
      item.append(link);
    }
  }

  function newItem(recording) {
    const item = document.createElement("li");
    item.className = "recording";
    item.dataset.recordingId = recording.id;
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = "Recording:";
    const text = document.createElement("span");
    text.className = "status";
    text.dataset.statusText = "";
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", "Processing of the recording");
    item.append(label, " ", text, " ", bar);
    show(item, recording);
    return item;
  }

  function upload(form) {
    const bar = form.querySelector(".upload-progress");
    const status = form.querySelector(".upload-status");
    const button = form.querySelector("button");
    function failed(reason) {
      status.classList.add("error");
      status.textContent = reason;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-CSRF-Token", config.csrfToken);
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = progress.loaded / progress.total;
        }
      });
      request.addEventListener("load", function () {
        button.disabled = false;
        bar.hidden = true;
        let answer = null;
        try {
          answer = JSON.parse(request.responseText);
        } catch (ignored) {
          // An answer that is not JSON: only its status is shown.
        }
        if (request.status !== 201) {
          const detail = answer && typeof answer.detail === "string" ? answer.detail : null;
          failed("Not uploaded: " + (detail || "the service answered " + request.status));
          return;
        }
        // Said until the recording's own line below takes over its story.
        status.textContent = "Uploaded.";
        window.setTimeout(function () {
          if (status.textContent === "Uploaded.") {
            status.textContent = "";
          }
        }, UPLOADED_SHOWN_MS);
        form.reset();
        let list = form.previousElementSibling;
        if (!list || !list.matches("ul.recordings")) {
          list = document.createElement("ul");
          list.className = "recordings";
          form.before(list);
        }
        const item = newItem(answer);
        list.append(item);
        follow(item);
      });
      request.addEventListener("error", function () {
        button.disabled = false;
        failed("Not uploaded: the connection failed.");
      });
      button.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      status.classList.remove("error");
      status.textContent = "Uploading…";
      request.send(new FormData(form));
    });
  }

  document.querySelectorAll("li.recording").forEach(function (item) {
    if (!FINISHED.includes(item.dataset.status)) {
      follow(item);
    }
  });
  document.querySelectorAll("form.upload").forEach(upload);
})();
