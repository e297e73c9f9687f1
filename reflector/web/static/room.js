// The room page: join the room's meeting, embed it with the platform's script (which defines
// window.reflectorEmbed), show who is in, and give the host their controls.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("room-config").textContent);
  const frame = document.getElementById("meeting-frame");
  const status = document.getElementById("meeting-status");
  const PRESENCE_EVERY_MS = 3000;

  async function api(method, path, body) {
    const response = await fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": config.csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = null;
      try {
        detail = (await response.json()).detail;
      } catch (ignored) {
        // Not JSON: say what the status was.
      }
      throw new Error(typeof detail === "string" ? detail : "the service answered " + response.status);
    }
    return response.status === 204 ? null : response.json();
  }

  function say(text) {
    status.textContent = text;
    if (!status.isConnected) {
      frame.replaceChildren(status);
    }
  }

  // The meeting's own link, when it is not embedded here; `problem` says why it could not be.
  function showLink(join, problem) {
    const box = document.createElement("div");
    box.className = "unembedded";
    if (problem) {
      box.append(paragraphOf("The meeting could not be shown here: " + problem + "."));
    }
    const link = document.createElement("a");
    link.href = join.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = "Open the meeting";
    const paragraph = paragraphOf("This meeting is on " + config.platformTitle + ": ");
    paragraph.append(link);
    box.append(paragraph);
    frame.replaceChildren(box);
  }

  async function join() {
    const room = encodeURIComponent(config.roomName);
    const meeting = await api("POST", "/v1/rooms/" + room + "/meeting", { allow_duplicated: false });
    const reloadKey = "reflector-reloaded-" + meeting.id;
    if (meeting.platform !== config.platform && !sessionStorage.getItem(reloadKey)) {
      // The meeting is on another platform than this page was built for: build it again.
      sessionStorage.setItem(reloadKey, "1");
      location.reload();
      return;
    }
    if (config.asksConsent) {
      const answer = await askConsent();
      await api("POST", "/v1/meetings/" + meeting.id + "/consent", { answer: answer });
    }
    const link = await api("POST", "/v1/meetings/" + meeting.id + "/join", {
      display_name: config.displayName,
    });
    const join = {
      url: link.url,
      role: link.role,
      meetingId: meeting.id,
      displayName: config.displayName,
      cloudRecording: config.cloudRecording,
    };
    let controls = null;
    if (typeof window.reflectorEmbed === "function") {
      try {
        frame.replaceChildren();
        controls = await window.reflectorEmbed(frame, join);
      } catch (error) {
        showLink(join, error.message);
      }
    } else {
      showLink(join);
    }
    hostControls(meeting, controls);
    // The history was drawn before this meeting began: it is the room's first.
    const noHistory = document.getElementById("history-empty");
    if (noHistory) {
      noHistory.textContent = "This is the room's first meeting.";
    }
    watchPresence(meeting.id);
  }

  // Before the meeting is shown: does this person agree to being recorded? "Leave" leaves.
  function askConsent() {
    return new Promise(function (resolve) {
      const box = document.createElement("div");
      box.className = "consent";
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-labelledby", "consent-heading");
      const heading = document.createElement("h2");
      heading.id = "consent-heading";
      heading.textContent = "This meeting is recorded and transcribed.";
      box.append(
        heading,
        paragraphOf(
          "If you join without being recorded, your own audio is deleted unheard; where " +
            "everyone is recorded together, the recording's audio is deleted as soon as its " +
            "transcript is made, and the transcript says someone asked not to be recorded."
        )
      );
      const choices = document.createElement("div");
      choices.className = "row";
      function choice(label, answer, quiet) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        if (quiet) {
          button.className = "quiet";
        }
        button.addEventListener("click", function () {
          if (answer === null) {
            location.href = "/rooms";
            return;
          }
          say("Joining the meeting…");
          resolve(answer);
        });
        choices.append(button);
        return button;
      }
      const agree = choice("Continue and agree", "agree", false);
      choice("Join without being recorded", "refuse", true);
      choice("Leave", null, true);
      box.append(choices);
      frame.replaceChildren(box);
      agree.focus();
    });
  }

  function paragraphOf(text) {
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    return paragraph;
  }

  function hostControls(meeting, controls) {
    const box = document.getElementById("host-controls");
    if (!box) {
      return;
    }
    box.hidden = false;
    const uploads = document.getElementById("live-recordings");
    uploads.querySelector("form.upload").action = "/v1/meetings/" + meeting.id + "/recordings";
    uploads.hidden = false;
    const record = document.getElementById("start-recording");
    if (controls && controls.startRecording) {
      record.hidden = false;
      record.addEventListener("click", function () {
        controls.startRecording();
        record.disabled = true;
        record.textContent = "Recording asked for";
      });
    }
    document.getElementById("end-meeting").addEventListener("click", async function (event) {
      if (!window.confirm("End the meeting for everyone in it?")) {
        return;
      }
      event.target.disabled = true;
      try {
        await api("POST", "/v1/meetings/" + meeting.id + "/end");
        if (controls && controls.leave) {
          controls.leave();
        }
        box.hidden = true;
        say("The meeting has ended.");
      } catch (error) {
        event.target.disabled = false;
        window.alert("The meeting could not be ended: " + error.message);
      }
    });
  }

  function watchPresence(meetingId) {
    const list = document.getElementById("presence-list");
    const count = document.getElementById("presence-count");
    const empty = document.getElementById("presence-empty");
    async function look() {
      let meeting;
      try {
        meeting = await api("GET", "/v1/meetings/" + meetingId);
      } catch (error) {
        return;
      }
      const inRoom = meeting.participants.filter(function (person) {
        return person.joined_at && !person.left_at && !person.is_recorder;
      });
      list.replaceChildren(
        ...inRoom.map(function (person) {
          const item = document.createElement("li");
          item.textContent = person.display_name || person.user_id || "a guest";
          return item;
        })
      );
      count.textContent = String(meeting.state === "ended" ? 0 : inRoom.length);
      empty.hidden = inRoom.length > 0;
      if (meeting.state === "ended") {
        say("The meeting has ended.");
        return;
      }
      window.setTimeout(look, PRESENCE_EVERY_MS);
    }
    look();
  }

  join().catch(function (error) {
    say("Could not join the meeting: " + error.message);
  });
})();
