// A Jitsi meeting in the room page through Jitsi's IFrame API (external_api.js, loaded from
// the Jitsi server itself). The caller's own JWT goes in the API's `jwt` option; the host's
// recordings carry our meeting id into Jibri's metadata.json (contracts/jitsi.md §e).
"use strict";

window.reflectorEmbed = function (container, join) {
  const link = new URL(join.url);
  const options = {
    roomName: decodeURIComponent(link.pathname.replace(/^\//, "")),
    parentNode: container,
    width: "100%",
    height: "100%",
    userInfo: { displayName: join.displayName },
  };
  const jwt = link.searchParams.get("jwt");
  if (jwt) {
    options.jwt = jwt;
  }
  if (typeof window.JitsiMeetExternalAPI !== "function") {
    throw new Error("Jitsi's external_api.js did not load from " + link.host);
  }
  const api = new window.JitsiMeetExternalAPI(link.host, options);
  const startRecording = () =>
    api.executeCommand("startRecording", {
      mode: "file",
      extraMetadata: { reflector_meeting_id: join.meetingId },
    });
  return {
    // Only a host of a room recorded in the cloud holds a token that lets Jibri record.
    startRecording: join.role === "host" && join.cloudRecording ? startRecording : null,
    leave: () => api.dispose(),
  };
};
