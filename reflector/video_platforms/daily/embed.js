// A Daily meeting in the room page: Daily Prebuilt through daily-js's call frame. The link's
// `t` parameter is the caller's own meeting token (contracts/daily.md §3).
"use strict";

window.reflectorEmbed = function (container, join) {
  const link = new URL(join.url);
  const token = link.searchParams.get("t");
  link.search = "";
  if (!window.DailyIframe) {
    throw new Error("Daily's daily-js did not load");
  }
  const frame = window.DailyIframe.createFrame(container, {
    showLeaveButton: true,
    iframeStyle: { width: "100%", height: "100%", border: "0" },
  });
  frame.join(token ? { url: link.toString(), token: token } : { url: link.toString() });
  return { startRecording: null, leave: () => frame.leave() };
};
